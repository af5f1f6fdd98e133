import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a client key: every key is compared through its fixed-length digest. */
export function digestKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Constant-time comparison of two digests (both 32 bytes long). */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
