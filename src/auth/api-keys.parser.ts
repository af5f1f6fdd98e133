import { ConfigValidationError } from '../config/config-validation.error.js';
import type { ApiKeyEntry } from './api-key-entry.interface.js';
import { digestKey } from './key-digest.js';

/** Shortest accepted client key. */
export const MIN_API_KEY_LENGTH = 16;
const MAX_API_KEY_LENGTH = 512;
/** Characters of a key: base64, base64url and hex keys all fit; `,` `:` `|` are separators. */
const KEY_CHARS = /^[A-Za-z0-9._~+/=-]+$/;
const ALL_APPS = '*';

/**
 * Parses `API_KEYS`: comma-separated entries, each `key` (every app), `key:*` (every app) or
 * `key:app1|app2` (only those apps), optionally followed by `:stand-in` (the key is handed
 * stand-in tokens, usable through the relay only). Blanks around entries are ignored.
 *
 * Errors name the entry by its position (`API_KEYS entry 2`), never by its key.
 * @throws ConfigValidationError naming `API_KEYS`
 */
export function parseApiKeys(raw: string, appNames: readonly string[]): ApiKeyEntry[] {
  const known = new Set(appNames);
  const entries = raw.split(',').map((entry) => entry.trim());
  const result: ApiKeyEntry[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    if (entry === '') {
      // A trailing comma is harmless; an empty entry in the middle is most likely a typo.
      if (index === entries.length - 1 && index > 0) return;
      fail(`${where} is empty (expected "key" or "key:app1|app2", separated by commas)`);
    }
    const colon = entry.indexOf(':');
    const key = colon < 0 ? entry : entry.slice(0, colon).trim();
    let scopeText = colon < 0 ? undefined : entry.slice(colon + 1).trim();
    // `key:scope:stand-in` (or `key:*:stand-in`): the key gets stand-in tokens.
    let standIn = false;
    const option = scopeText?.lastIndexOf(':') ?? -1;
    if (scopeText !== undefined && option >= 0) {
      const flag = scopeText.slice(option + 1).trim();
      if (flag !== 'stand-in') {
        fail(`${where}: unknown option after the scope (the only one is ":stand-in")`);
      }
      standIn = true;
      scopeText = scopeText.slice(0, option).trim();
    }

    if (key.length < MIN_API_KEY_LENGTH) {
      fail(
        `${where}: the key is ${key.length} characters long; keys must have at least ${MIN_API_KEY_LENGTH}`,
      );
    }
    if (key.length > MAX_API_KEY_LENGTH) {
      fail(`${where}: the key is longer than ${MAX_API_KEY_LENGTH} characters`);
    }
    if (!KEY_CHARS.test(key)) {
      fail(`${where}: the key may only hold letters, digits and . _ ~ + / = -`);
    }
    const previous = seen.get(key);
    if (previous !== undefined) fail(`${where} repeats the key of entry ${previous + 1}`);
    seen.set(key, index);

    result.push({
      label: `API_KEYS[${index}]`,
      digest: digestKey(key),
      scope: parseScope(scopeText, where, known),
      ...(standIn ? { standIn } : {}),
    });
  });
  if (result.length === 0) fail('lists no key');
  return result;
}

function parseScope(
  text: string | undefined,
  where: string,
  known: ReadonlySet<string>,
): ApiKeyEntry['scope'] {
  if (text === undefined || text === ALL_APPS) return 'all';
  if (text === '')
    fail(`${where}: nothing after ":" (give app names separated by "|", or "*" for every app)`);
  const apps = text.split('|').map((name) => name.trim());
  apps.forEach((app, i) => {
    if (app === '') fail(`${where}: empty app name in the scope (app names are separated by "|")`);
    if (!known.has(app)) {
      // A long unknown "name" may well be a key written in the wrong place: never echo it.
      const shown = app.length < MIN_API_KEY_LENGTH ? `"${app}"` : `number ${i + 1}`;
      fail(
        `${where}: unknown app ${shown} in the scope (configured apps: ${[...known].join(', ')})`,
      );
    }
  });
  return [...new Set(apps)];
}

function fail(problem: string): never {
  throw new ConfigValidationError('API_KEYS', problem);
}
