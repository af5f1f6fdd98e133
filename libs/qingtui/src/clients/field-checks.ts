import { QingtuiValidationError } from '../errors/qingtui-validation.error.js';
import { QINGTUI_COLORS } from './qingtui-api.limits.js';
import { validationMessages as m } from './qingtui-validation.messages.js';

/*
 * The checks of one value that the message tables and the other validators are built of. Each
 * throws a `QingtuiValidationError` whose `field` is the path in the platform's wire naming.
 * They are defensive: values may come from untyped JSON.
 */

export type Json = Record<string, unknown>;

export function fail(field: string, problem: string): never {
  throw new QingtuiValidationError(field, problem);
}

export function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Length in characters (code points), as a person counts them. */
function charCount(text: string): number {
  return [...text].length;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** A string with at least one non-blank character, at most `max` characters. */
export function requireText(value: unknown, field: string, max?: number): void {
  if (value === undefined || value === null) fail(field, m.required());
  if (typeof value !== 'string') fail(field, m.notString());
  if (isBlank(value)) fail(field, m.required());
  checkLength(value, field, max);
}

/** Absent, or a string of at most `max` characters (blank only if `allowBlank`). */
export function optionalText(value: unknown, field: string, max?: number, allowBlank = true): void {
  if (value === undefined) return;
  if (typeof value !== 'string') fail(field, m.notString());
  if (!allowBlank && isBlank(value)) fail(field, m.required());
  checkLength(value, field, max);
}

/** A string (possibly empty) of at most `max` characters. */
export function requireString(value: unknown, field: string, max?: number): void {
  if (value === undefined || value === null) fail(field, m.required());
  optionalText(value, field, max);
}

function checkLength(value: string, field: string, max: number | undefined): void {
  if (max === undefined) return;
  const length = charCount(value);
  if (length > max) fail(field, m.tooLong(length, max));
}

/** At most `max` bytes in UTF-8 (the unit of WeCom's and WeChat's byte limits). */
export function maxBytes(value: string, field: string, max: number): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > max) fail(field, m.tooManyBytes(bytes, max));
}

export function optionalNumber(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, m.notNumber());
}

export function optionalBoolean(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'boolean') fail(field, m.notBoolean());
}

export function optionalColor(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!(QINGTUI_COLORS as readonly unknown[]).includes(value)) {
    fail(field, m.badColor(value, QINGTUI_COLORS));
  }
}

export function requireObject(value: unknown, field: string): Json {
  if (value === undefined || value === null) fail(field, m.required());
  if (!isJsonObject(value)) fail(field, m.notObject());
  return value;
}

export function optionalObject(value: unknown, field: string): Json | undefined {
  return value === undefined ? undefined : requireObject(value, field);
}

/** An array of `min` to `max` items (`what` names them in messages). */
export function requireArray(
  value: unknown,
  field: string,
  what: string,
  min = 0,
  max?: number,
): unknown[] {
  if (value === undefined || value === null) fail(field, m.required());
  if (!Array.isArray(value)) fail(field, m.notArray());
  if (value.length < min) fail(field, m.tooFew(value.length, min, what));
  if (max !== undefined && value.length > max) fail(field, m.tooMany(value.length, max, what));
  return value;
}
