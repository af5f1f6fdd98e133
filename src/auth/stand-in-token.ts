import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from './api-key-entry.interface.js';

const PREFIX = 'sti1.';

/**
 * The opaque stand-in handed to a `:stand-in` client key instead of the app's real token: an
 * HMAC of the real token, keyed with the key's digest and bound to the app, so that every
 * instance with the same `API_KEYS` computes the same one, nobody without the key can forge it,
 * and it says nothing of the real token. The platform refuses it (it is no token of its); the
 * relay takes it in place of the token it stands for, and sends the real one.
 */
export function standInToken(entry: ApiKeyEntry, app: string, realToken: string): string {
  return PREFIX + mac(entry, app, realToken).toString('base64url');
}

/** Whether `presented` is the stand-in, for one of `entries`, of `realToken`. */
export function isStandInOf(
  presented: string,
  app: string,
  realToken: string,
  entries: readonly ApiKeyEntry[],
): ApiKeyEntry | undefined {
  if (!presented.startsWith(PREFIX) || presented.length > 200) return undefined;
  const given = Buffer.from(presented.slice(PREFIX.length), 'base64url');
  return entries.find((entry) => {
    if (!entry.standIn) return false;
    const expected = mac(entry, app, realToken);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Whether a presented token looks like a stand-in (to tell it from a real token cheaply). */
export function looksLikeStandIn(presented: string): boolean {
  return presented.startsWith(PREFIX);
}

function mac(entry: ApiKeyEntry, app: string, token: string): Buffer {
  return createHmac('sha256', entry.digest).update(`stand-in:${app}:${token}`).digest();
}
