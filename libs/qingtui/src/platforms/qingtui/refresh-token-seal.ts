import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts refresh_tokens at rest. A refresh_token mints access_tokens without the AppSecret, so
 * whoever can read the shared store (Redis) must not be able to use it: it is sealed with
 * AES-256-GCM under a key derived (HKDF-SHA256, salted with the AppID) from the configured
 * encryption key or, by default, from the AppSecret itself. Only the token fetcher, which holds
 * the secret, seals and opens it. Node's crypto does all of it; no library is needed.
 */
const VERSION = 'v1';
const INFO = 'qingtui refresh_token at rest';

function keyOf(secret: string, appId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, appId, INFO, 32));
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function sealRefreshToken(refreshToken: string, secret: string, appId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret, appId), iv);
  const body = Buffer.concat([cipher.update(refreshToken, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * The refresh_token inside a sealed value, or undefined when it cannot be opened (another key: the
 * AppSecret was replaced; a plain-text value from an older version; tampering).
 */
export function openRefreshToken(
  sealed: string,
  secret: string,
  appId: string,
): string | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
  try {
    const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret, appId), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
