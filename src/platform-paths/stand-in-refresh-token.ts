import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';

const PREFIX = 'qtsrv1.';

/**
 * The refresh_token this server hands to Qingtui SDKs: never the platform's own (that one never
 * leaves the server), but a stand-in bound to the client key and the app, an HMAC keyed with the
 * key's SHA-256 digest, which every instance configured with the same `API_KEYS` can check and
 * nobody without the key can forge. It carries no expiry: it only ever buys the current token.
 */
export function standInRefreshToken(entry: ApiKeyEntry, app: string): string {
  return PREFIX + mac(entry, app).toString('base64url');
}

/** The client key a stand-in refresh_token was made for, among `entries`, or undefined. */
export function keyOfRefreshToken(
  presented: string,
  app: string,
  entries: readonly ApiKeyEntry[],
): ApiKeyEntry | undefined {
  if (!presented.startsWith(PREFIX) || presented.length > 200) return undefined;
  const given = Buffer.from(presented.slice(PREFIX.length), 'base64url');
  return entries.find((entry) => {
    const expected = mac(entry, app);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function mac(entry: ApiKeyEntry, app: string): Buffer {
  return createHmac('sha256', entry.digest).update(`refresh_token:${app}`).digest();
}
