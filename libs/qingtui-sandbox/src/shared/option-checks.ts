/**
 * Checks shared by the option resolvers of every platform. Each throws a
 * TypeError or RangeError whose message starts with the option's name.
 */

/** A number >= `min` (finite unless `allowInfinity`). */
export function checkNumber(
  name: string,
  value: unknown,
  min: number,
  allowInfinity = false,
): number {
  const finiteOk =
    typeof value === 'number' && (allowInfinity ? !Number.isNaN(value) : Number.isFinite(value));
  if (!finiteOk || value < min) {
    throw new RangeError(
      `${name} must be a number >= ${min}${allowInfinity ? ' (or Infinity)' : ''}`,
    );
  }
  return value;
}

/** A finite number > 0. */
export function checkPositive(name: string, value: unknown): number {
  checkNumber(name, value, 0);
  if (value === 0) throw new RangeError(`${name} must be greater than 0`);
  return value as number;
}

/** An integer > 0. */
export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}

/** An integer >= 0, or Infinity (no limit). */
export function checkLimit(name: string, value: unknown): number {
  if (
    typeof value !== 'number' ||
    (value !== Infinity && (!Number.isInteger(value) || value < 0))
  ) {
    throw new RangeError(`${name} must be an integer >= 0 (or Infinity)`);
  }
  return value;
}

/** A non-empty string. */
export function checkNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  return value;
}

/** A boolean. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false`);
  return value;
}

/** One of the listed strings. */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}
