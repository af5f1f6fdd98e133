const pad = (n: number) => String(n).padStart(2, '0');

/**
 * ISO 8601 in the machine's time zone, with the zone: `2025-06-01T18:04:05.123+08:00`. Logs
 * read by people stay in local time, and no reader has to guess which zone that is.
 */
export function isoTimestamp(date: Date = new Date()): string {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
