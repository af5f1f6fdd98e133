import { timingSafeEqual } from 'node:crypto';

/** Compares a presented secret with the registered one in constant time (for equal lengths). */
export function secretMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
