import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from './api-key-entry.interface.js';

const PREFIX = 'sti1.';
const REFRESH_PREFIX = 'qtsrv1.';

/**
 * The opaque stand-in handed to a `:stand-in` client key instead of the app's real token: an
 * HMAC of the real token, keyed with the key's digest and bound to the app, so that every
 * instance with the same `API_KEYS` computes the same one, nobody without the key can forge it,
 * and it says nothing of the real token. The platform refuses it (it is no token of its); the
 * relay takes it in place of the token it stands for, and sends the real one.
 */
export function standInToken(entry: ApiKeyEntry, app: string, realToken: string): string {
  return PREFIX + mac(entry, `stand-in:${app}:${realToken}`).toString('base64url');
}

/** Whether `presented` is the stand-in, for one of `entries`, of `realToken`. */
export function isStandInOf(
  presented: string,
  app: string,
  realToken: string,
  entries: readonly ApiKeyEntry[],
): ApiKeyEntry | undefined {
  return keyOf(
    presented,
    PREFIX,
    entries.filter((entry) => entry.standIn),
    `stand-in:${app}:${realToken}`,
  );
}

/** Whether a presented token looks like a stand-in (to tell it from a real token cheaply). */
export function looksLikeStandIn(presented: string): boolean {
  return presented.startsWith(PREFIX);
}

/**
 * The refresh_token this server hands to Qingtui SDKs: never the platform's own (that one never
 * leaves the server), but a stand-in bound to the client key and the app, the same kind of HMAC.
 * It carries no expiry: it only ever buys the current token.
 */
export function standInRefreshToken(entry: ApiKeyEntry, app: string): string {
  return REFRESH_PREFIX + mac(entry, `refresh_token:${app}`).toString('base64url');
}

/** The client key a stand-in refresh_token was made for, among `entries`, or undefined. */
export function keyOfRefreshToken(
  presented: string,
  app: string,
  entries: readonly ApiKeyEntry[],
): ApiKeyEntry | undefined {
  return keyOf(presented, REFRESH_PREFIX, entries, `refresh_token:${app}`);
}

/** The entry whose HMAC of `message` is `presented` (after `prefix`), compared in constant time. */
function keyOf(
  presented: string,
  prefix: string,
  entries: readonly ApiKeyEntry[],
  message: string,
): ApiKeyEntry | undefined {
  if (!presented.startsWith(prefix) || presented.length > 200) return undefined;
  const given = Buffer.from(presented.slice(prefix.length), 'base64url');
  return entries.find((entry) => {
    const expected = mac(entry, message);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function mac(entry: ApiKeyEntry, message: string): Buffer {
  return createHmac('sha256', entry.digest).update(message).digest();
}
