const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Bounds of a JSON body's structure. */
export interface JsonShapeLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most separators (`,`) outside strings: roughly the number of members and elements. */
  maxValues: number;
}

/** What is wrong with a body's structure. */
export type JsonShapeProblem = 'too-deep' | 'too-many-values';

/**
 * Checks the structure of the JSON text in `bytes` in one pass over the raw bytes, before
 * anything is parsed (brackets and commas inside strings do not count).
 *
 * Written here because neither JSON.parse nor body-parser bounds depth or size in values: a
 * deeply nested body reaches recursive code after parsing, and an object with 80,000 keys costs
 * JSON.parse tens of milliseconds of blocked event loop. The scan is linear, allocates nothing,
 * and works on UTF-8 bytes directly: every byte of a multi-byte character is >= 0x80, so it never
 * looks like a quote, a backslash, a comma or a bracket.
 */
export function checkJsonShape(
  bytes: Uint8Array,
  limits: JsonShapeLimits,
): JsonShapeProblem | undefined {
  let depth = 0;
  let separators = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === COMMA) {
      if (++separators > limits.maxValues) return 'too-many-values';
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limits.maxDepth) return 'too-deep';
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return undefined;
}
