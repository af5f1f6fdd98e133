import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an opaque token carries, readable only by the platform that signed it. */
export interface OpaqueTokenClaims {
  /** App key of the owner. */
  readonly app: string;
  /** Expiry, epoch ms. */
  readonly exp: number;
}

/** base64url length of an HMAC-SHA256 digest. */
const SIGNATURE_LENGTH = 43;

/**
 * Encodes and verifies the opaque access tokens of WeChat and WeCom:
 * `base64url(claims) + base64url(HMAC-SHA256)`, only URL-safe characters like
 * the real ones. The signature lets the platform recognise its expired tokens
 * (42001) after it has forgotten their records, and tell them from forged
 * ones (40014). Each platform has its own key, so one platform's tokens are
 * malformed on another.
 */
export class OpaqueTokenCodec {
  private key = randomBytes(32);

  encode(claims: OpaqueTokenClaims): string {
    const body = Buffer.from(
      JSON.stringify({ a: claims.app, x: claims.exp, j: randomBytes(9).toString('base64url') }),
    ).toString('base64url');
    return body + this.sign(body);
  }

  /** The claims of a token this codec signed (since its last key rotation), else undefined. */
  decode(token: string): OpaqueTokenClaims | undefined {
    if (token.length <= SIGNATURE_LENGTH) return undefined;
    const body = token.slice(0, -SIGNATURE_LENGTH);
    const given = Buffer.from(token.slice(-SIGNATURE_LENGTH));
    const expected = Buffer.from(this.sign(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const { a, x } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        a: unknown;
        x: unknown;
      };
      return typeof a === 'string' && typeof x === 'number' ? { app: a, exp: x } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Forgets the signing key: every token issued so far becomes unrecognisable. */
  rotateKey(): void {
    this.key = randomBytes(32);
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}
