import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import type { QingtuiSecret } from '../core/app-config.js';
import type { QingtuiMetricsOptions } from '../metrics/qingtui-metrics-options.interface.js';
import type { SecretReader } from '../core/resolved-options.js';

/*
 * Checks of option values shared by the options resolver and the platforms' app resolvers.
 * Each throws a `QingtuiConfigError` naming the field and never quoting the value (it may be a
 * secret).
 */

/** A non-empty string. */
export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new QingtuiConfigError(field, 'must be a non-empty string');
  }
  return value;
}

/** An absolute http(s) URL, without its trailing slashes. */
export function httpUrl(value: unknown, field: string): string {
  const text = nonEmptyString(value, field);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new QingtuiConfigError(field, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new QingtuiConfigError(field, 'must be an absolute http(s) URL');
  }
  return text.replace(/\/+$/, '');
}

/** A number in [min, max] (an integer unless `integer` is false), or `fallback` when undefined. */
export function numberInRange(
  value: unknown,
  field: string,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    throw new QingtuiConfigError(
      field,
      `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`,
    );
  }
  return value;
}

/** true or false, or `fallback` when undefined. */
export function booleanOption(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new QingtuiConfigError(field, 'must be true or false');
  return value;
}

/** Refuses fields an entry does not have (a typo would otherwise be silently ignored). */
export function knownFields(
  entry: Record<string, unknown>,
  at: string,
  fields: readonly string[],
): void {
  for (const key of Object.keys(entry)) {
    if (!fields.includes(key)) {
      throw new QingtuiConfigError(
        `${at}.${key.slice(0, 40)}`,
        `is not a field of this app (expected ${fields.join(', ')})`,
      );
    }
  }
}

const SECRET_FIELDS = ['appSecret', 'secret'] as const;
const fieldName = (name: string): string => SECRET_FIELDS.find((f) => f === name) ?? name;

/**
 * Checks a configured secret (a non-empty string, or a function read later) and returns its
 * reader. A function is read at every credential fetch; an empty answer is an error naming the
 * app's field (`apps["crm"].appSecret`), never the value.
 * @param field the field's path in the options, for a start-up error
 * @param app the app's name, for an error at a later read
 */
export function secretReader(value: unknown, field: string, app: string): SecretReader {
  if (typeof value !== 'function') nonEmptyString(value, field);
  const secret = value as QingtuiSecret;
  // The field's own name, as a literal of the platforms' (one string, not one per app).
  const name = fieldName(field.slice(field.lastIndexOf('.') + 1));
  return async () => {
    const read = typeof secret === 'function' ? await secret() : secret;
    if (typeof read !== 'string' || read.trim() === '') {
      throw new QingtuiConfigError(`apps["${app}"].${name}`, 'gave no secret');
    }
    return read;
  };
}

/** A daily quota: an integer of at least 10, or one of `names` (mapped to a number or unlimited). */
export function dailyQuotaOption(
  value: unknown,
  field: string,
  names: Readonly<Record<string, number | undefined>> = {},
): number | undefined {
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 10 && value <= 1e9) {
    return value;
  }
  const named = Object.keys(names);
  throw new QingtuiConfigError(
    field,
    `must be an integer of at least 10${named.length > 0 ? ` or one of ${named.join(', ')}` : ''}`,
  );
}

/** The `metrics` option: an object whose `registry`, if given, is a prom-client registry. */
export function checkMetrics(metrics: QingtuiMetricsOptions | undefined): void {
  if (metrics === undefined) return;
  if (metrics === null || typeof metrics !== 'object') {
    throw new QingtuiConfigError(
      'metrics',
      'must be an object: { registry?: a prom-client Registry }',
    );
  }
  const limit = metrics.perAppLimit;
  if (
    limit !== undefined &&
    (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100_000)
  ) {
    throw new QingtuiConfigError('metrics.perAppLimit', 'must be a whole number from 1 to 100000');
  }
  const registry = metrics.registry as Partial<Record<string, unknown>> | undefined;
  if (
    registry !== undefined &&
    (registry === null ||
      typeof registry.registerMetric !== 'function' ||
      typeof registry.getSingleMetric !== 'function' ||
      typeof registry.removeSingleMetric !== 'function')
  ) {
    throw new QingtuiConfigError(
      'metrics.registry',
      "must be a prom-client Registry (new Registry(), or prom-client's register)",
    );
  }
}

const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*(:\d{1,5})?$/;

/**
 * The JS-safe domains of an app (the platforms' 接口安全域名): host names (`example.com`,
 * `*.example.com` for its subdomains, an optional `:port`), at most 100; undefined: any page.
 */
export function jsSafeDomains(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    throw new QingtuiConfigError(field, 'must be a list of 1 to 100 host names');
  }
  return value.map((entry, i) => {
    const host = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    if (!HOST.test(host) || host.length > 253) {
      throw new QingtuiConfigError(
        `${field}[${i}]`,
        'must be a host name such as "example.com" or "*.example.com" (no scheme, no path)',
      );
    }
    return host;
  });
}
