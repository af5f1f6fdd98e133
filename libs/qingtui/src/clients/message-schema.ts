import { parseJson } from '../core/parse-json.js';
import {
  fail,
  isJsonObject,
  type Json,
  maxBytes,
  optionalBoolean,
  optionalColor,
  optionalNumber,
  optionalObject,
  optionalText,
  requireArray,
  requireObject,
  requireString,
  requireText,
} from './field-checks.js';
import { validationMessages as m } from './qingtui-validation.messages.js';

/*
 * How a message field is described once (`message-fields.ts`) and what is derived from the
 * description: the wire object sent (`encodeFields`), the typed message read from a wire object
 * (`decodeFields`) and the checks before sending (`validateFields`). Keys are the typed names,
 * `wire` the platform's snake_case name.
 */

export type Field =
  | {
      kind: 'text';
      wire: string;
      /** `required`: not blank; `present`: a string, maybe empty; `optional`: may be absent. */
      presence: 'required' | 'present' | 'optional';
      max?: number;
      /** At most this many UTF-8 bytes (WeCom counts bytes). */
      maxBytes?: number;
      /** Whether an optional text may be blank. */
      blank?: boolean;
    }
  | { kind: 'number'; wire: string }
  /** A boolean, sent as 1/0 (and read from either). */
  | { kind: 'flag'; wire: string }
  /** A color name, read in any case. */
  | { kind: 'color'; wire: string }
  /** A card: an object, sent as its JSON text, or that text. */
  | { kind: 'card'; wire: string }
  /** A boolean, sent as true/false. */
  | { kind: 'boolean'; wire: string }
  | { kind: 'object'; wire: string; required: boolean; fields: Fields }
  | {
      kind: 'list';
      wire: string;
      required: boolean;
      /** What the items are, in messages ("3 pairs"). */
      what: string;
      min?: number;
      max?: number;
      items: Fields;
    };

export type Fields = Readonly<Record<string, Field>>;

/** A table for `T`: one field per member of `T` but its `type`. */
export type FieldsOf<T> = { readonly [K in Exclude<keyof T, 'type'>]-?: Field };

/** A required string with a non-blank character, at most `max` characters. */
export const text = (wire: string, max?: number): Field => ({
  kind: 'text',
  wire,
  presence: 'required',
  max,
});
/** A required string, possibly empty, at most `max` characters. */
export const maybeEmptyText = (wire: string, max?: number): Field => ({
  kind: 'text',
  wire,
  presence: 'present',
  max,
});
/** An optional string, at most `max` characters; blank only if `blank`. */
export const optionalTextField = (wire: string, max?: number, blank = true): Field => ({
  kind: 'text',
  wire,
  presence: 'optional',
  max,
  blank,
});
export const numberField = (wire: string): Field => ({ kind: 'number', wire });
export const flag = (wire: string): Field => ({ kind: 'flag', wire });
export const color = (wire: string): Field => ({ kind: 'color', wire });
export const card = (wire: string): Field => ({ kind: 'card', wire });
export const bool = (wire: string): Field => ({ kind: 'boolean', wire });
/** A text limited in UTF-8 bytes (and in characters when `max` is given). */
export const bytesText = (
  wire: string,
  maxBytes: number,
  presence: 'required' | 'optional' = 'required',
  max?: number,
): Field => ({ kind: 'text', wire, presence, maxBytes, max });
/** A nested object; optional unless `required`. */
export const object = <T>(wire: string, fields: FieldsOf<T>, required = false): Field => ({
  kind: 'object',
  wire,
  required,
  fields,
});
/** A list of objects; optional unless `required`. */
export const list = <T>(
  wire: string,
  what: string,
  items: FieldsOf<T>,
  rules: { required?: boolean; min?: number; max?: number } = {},
): Field => ({
  kind: 'list',
  wire,
  what,
  items,
  required: rules.required ?? false,
  min: rules.min,
  max: rules.max,
});

const entries = (fields: Fields) => Object.entries(fields);

// ---------------------------------------------------------------- encode

/** Typed object → wire object, absent members left out. */
export function encodeFields(fields: Fields, value: Json): Json {
  const wire: Json = {};
  for (const [key, field] of entries(fields)) {
    const encoded = encodeValue(field, value[key]);
    if (encoded !== undefined) wire[field.wire] = encoded;
  }
  return wire;
}

function encodeValue(field: Field, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (field.kind) {
    case 'flag':
      return value ? 1 : 0;
    case 'card':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'object':
      return encodeFields(field.fields, value as Json);
    case 'list':
      return (value as Json[]).map((item) => encodeFields(field.items, item));
    default:
      return value;
  }
}

// ---------------------------------------------------------------- decode

/**
 * Wire object → typed object: refuses unknown fields and wrong JSON types (`null` reads as
 * absent). Presence and lengths are left to `validateFields`.
 */
export function decodeFields(fields: Fields, raw: Json, path: string): Json {
  const allowed = Object.values(fields).map((f) => f.wire);
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) fail(`${path}.${key}`, m.unknownField(allowed));
  }
  const value: Json = {};
  for (const [key, field] of entries(fields)) {
    const decoded = decodeValue(field, raw[field.wire], `${path}.${field.wire}`);
    if (decoded !== undefined) value[key] = decoded;
  }
  return value;
}

function decodeValue(field: Field, raw: unknown, at: string): unknown {
  // The card itself is free-form: its text or object is checked by validateFields.
  if (field.kind === 'card') return raw;
  if (raw === undefined || raw === null) return undefined;
  switch (field.kind) {
    case 'text':
    case 'color':
      if (typeof raw !== 'string') fail(at, m.notString());
      return field.kind === 'color' ? raw.toLowerCase() : raw;
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) fail(at, m.notNumber());
      return raw;
    case 'boolean':
      if (typeof raw !== 'boolean') fail(at, m.notBoolean());
      return raw;
    case 'flag':
      if (raw === true || raw === 1) return true;
      if (raw === false || raw === 0) return false;
      return fail(at, m.notBoolean());
    case 'object':
      if (!isJsonObject(raw)) fail(at, m.notObject());
      return decodeFields(field.fields, raw, at);
    case 'list':
      if (!Array.isArray(raw)) fail(at, m.notArray());
      return raw.map((item, i) => {
        if (!isJsonObject(item)) fail(`${at}[${i}]`, m.notObject());
        return decodeFields(field.items, item, `${at}[${i}]`);
      });
  }
}

// ---------------------------------------------------------------- validate

/** Checks a typed object against its table, in table order; throws the first problem. */
export function validateFields(fields: Fields, value: Json, path: string): void {
  for (const [key, field] of entries(fields))
    validateValue(field, value[key], `${path}.${field.wire}`);
}

function validateValue(field: Field, value: unknown, at: string): void {
  switch (field.kind) {
    case 'text':
      if (field.presence === 'required') requireText(value, at, field.max);
      else if (field.presence === 'present') requireString(value, at, field.max);
      else optionalText(value, at, field.max, field.blank);
      if (field.maxBytes !== undefined && typeof value === 'string') {
        maxBytes(value, at, field.maxBytes);
      }
      return;
    case 'number':
      return optionalNumber(value, at);
    case 'boolean':
    case 'flag':
      return optionalBoolean(value, at);
    case 'color':
      return optionalColor(value, at);
    case 'card':
      return validateCard(value, at);
    case 'object': {
      const nested = field.required ? requireObject(value, at) : optionalObject(value, at);
      if (nested) validateFields(field.fields, nested, at);
      return;
    }
    case 'list': {
      if (value === undefined && !field.required) return;
      requireArray(value, at, field.what, field.min, field.max).forEach((item, i) =>
        validateFields(field.items, requireObject(item, `${at}[${i}]`), `${at}[${i}]`),
      );
    }
  }
}

function validateCard(content: unknown, at: string): void {
  if (content === undefined || content === null) fail(at, m.required());
  if (typeof content === 'string') {
    if (!isJsonObject(parseJson(content))) fail(at, m.cardNotJson());
    return;
  }
  if (!isJsonObject(content)) fail(at, m.cardNotJson());
  try {
    JSON.stringify(content);
  } catch {
    // A cycle or a BigInt: the card cannot be sent as JSON.
    fail(at, m.cardNotJson());
  }
}
