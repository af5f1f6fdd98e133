import { BadRequestException } from '@nestjs/common';

/** Apps listed one by one in `/status/data` and `/health/details` unless `limit` says otherwise. */
export const REPORT_DEFAULT_LIMIT = 100;
/** The most apps one page of a report lists. */
export const REPORT_MAX_LIMIT = 1_000;
/** Names of failing apps quoted in a health message; the others are counted. */
const NAMES_IN_MESSAGE = 20;

/** Which apps of a report are listed: `offset` and `limit` of the query string. */
export interface ReportPage {
  offset: number;
  limit: number;
}

/**
 * The page asked for by `?offset=&limit=` (0 and 100 by default; at most 1,000 apps a page),
 * so that a report of 10,000 apps stays small and fast.
 * @throws BadRequestException naming the parameter
 */
export function reportPage(query: Record<string, unknown>): ReportPage {
  const read = (name: 'offset' | 'limit', fallback: number, min: number, max: number) => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      throw new BadRequestException(`${name} must be a whole number between ${min} and ${max}`);
    }
    return value;
  };
  return {
    offset: read('offset', 0, 0, 1_000_000_000),
    limit: read('limit', REPORT_DEFAULT_LIMIT, 1, REPORT_MAX_LIMIT),
  };
}

/** How many apps are in each state (`valid`, `expired`, `missing`...). */
export function countByState(apps: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const app of apps) counts[app.state] = (counts[app.state] ?? 0) + 1;
  return counts;
}

/** `a, b, c and 17 more`: at most 20 names. */
export function someNames(names: readonly string[]): string {
  if (names.length <= NAMES_IN_MESSAGE) return names.join(', ');
  return `${names.slice(0, NAMES_IN_MESSAGE).join(', ')} and ${names.length - NAMES_IN_MESSAGE} more`;
}
