import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The claims the platform writes into an access_token's payload part. */
export interface AccessTokenClaims {
  domain_id: string;
  appid: string;
  dispatch: string;
  /** Absolute expiry, epoch seconds (unlike the relative `expires_in` of the response). */
  expires_in: number;
  jti: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
/** base64url length of an HMAC-SHA256 digest. */
const SIGNATURE_LENGTH = 43;
/** Widest `expires_in` the codec plans for: epoch seconds stay 10 digits until 2286. */
const WIDEST_EXPIRY = 9_999_999_999;

/**
 * Encodes and verifies the sandbox's JWT-shaped access tokens:
 * `base64url(header).base64url(payload).base64url(signature + padding)`.
 *
 * The third part starts with a real HMAC-SHA256 signature and is padded with
 * random base64url characters to the configured length. The signature lets
 * the platform recognise its own tokens after it has forgotten them, to tell
 * an expired token (42001) from a forged one (40014).
 */
export class TokenCodec {
  private key = randomBytes(32);

  /** @param length exact length of every encoded token */
  constructor(private readonly length: number) {}

  /**
   * Checks that the configured length can carry the claims of an app.
   * @throws RangeError naming the shortest usable length.
   */
  assertFits(appId: string, domainId: string): void {
    const widest = this.payloadOf({
      domain_id: domainId,
      appid: appId,
      dispatch: 'sandbox',
      expires_in: WIDEST_EXPIRY,
      jti: newJti(),
    });
    const minimum = HEADER.length + 1 + widest.length + 1 + SIGNATURE_LENGTH;
    if (this.length < minimum) {
      throw new RangeError(
        `tokenLength ${this.length} is too short for app "${appId}": at least ${minimum}`,
      );
    }
  }

  /** Builds a new token with a fresh `jti`. */
  encode(claims: Omit<AccessTokenClaims, 'jti'>): string {
    const signed = `${HEADER}.${this.payloadOf({ ...claims, jti: newJti() })}`;
    const signature = this.sign(signed);
    const padding = this.length - signed.length - 1 - signature.length;
    return `${signed}.${signature}${randomBase64Url(padding)}`;
  }

  /** The claims of a token this codec signed, or undefined for anything else. */
  decode(token: string): AccessTokenClaims | undefined {
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) return undefined;
    const signed = token.slice(0, secondDot);
    const given = Buffer.from(token.slice(secondDot + 1, secondDot + 1 + SIGNATURE_LENGTH));
    const expected = Buffer.from(this.sign(signed));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(
        Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'),
      );
    } catch {
      return undefined;
    }
  }

  /** Forgets the signing key: every token issued so far becomes unrecognisable. */
  rotateKey(): void {
    this.key = randomBytes(32);
  }

  private payloadOf(claims: AccessTokenClaims): string {
    return Buffer.from(JSON.stringify(claims)).toString('base64url');
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function newJti(): string {
  return randomBytes(16).toString('hex');
}

function randomBase64Url(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length);
}
