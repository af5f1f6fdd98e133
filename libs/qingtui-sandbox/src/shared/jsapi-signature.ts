import { createHash } from 'node:crypto';
import type { TicketStatus } from './ticket-book.js';

/** What a page signs for `wx.config` / `wx.agentConfig` / the Qingtui JS-SDK. */
export interface JsapiSignatureInput {
  /** The jsapi ticket (WeCom `agent_config` tickets sign the same way). */
  readonly ticket: string;
  readonly nonceStr: string;
  /** As the page sent it: seconds on WeChat and WeCom; some Qingtui clients send milliseconds. */
  readonly timestamp: string | number;
  /** The page URL; everything from `#` on is left out of the signature. */
  readonly url: string;
}

/** A signature to check, with what it signs. */
export interface JsapiSignatureClaim extends JsapiSignatureInput {
  /** Lowercase hex SHA-1, as the JS-SDK expects it. */
  readonly signature: string;
}

/** The verdict of {@link QingtuiSandbox.verifyJsapiSignature}. */
export interface JsapiSignatureCheck {
  /** The ticket is a jsapi or agent_config ticket valid now, and the signature matches. */
  readonly valid: boolean;
  /** Why not, when not valid. */
  readonly reason?: 'unknown-ticket' | 'expired-ticket' | 'not-a-jsapi-ticket' | 'bad-signature';
  /** The signature the input should carry. */
  readonly expected: string;
  readonly ticket: TicketStatus;
}

/**
 * The JS-SDK signature: lowercase hex SHA-1 of
 * `jsapi_ticket=<ticket>&noncestr=<nonceStr>&timestamp=<timestamp>&url=<url without #fragment>`
 * (WeChat JS-SDK appendix 1; WeCom and Qingtui sign the same way).
 */
export function jsapiSignature(input: JsapiSignatureInput): string {
  const hash = input.url.indexOf('#');
  const url = hash < 0 ? input.url : input.url.slice(0, hash);
  const text = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${String(input.timestamp)}&url=${url}`;
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/**
 * Checks a signature the way the platform's JS-SDK would: the ticket must be
 * valid now (and not a `wx_card` ticket), the signature exactly the lowercase
 * hex of {@link jsapiSignature}.
 * @param status what the sandbox knows of the ticket
 * @throws TypeError when a field is missing or of the wrong type
 */
export function checkJsapiSignature(
  claim: JsapiSignatureClaim,
  status: TicketStatus,
): JsapiSignatureCheck {
  const expected = jsapiSignature(claim);
  const verdict = (reason?: JsapiSignatureCheck['reason']): JsapiSignatureCheck =>
    reason === undefined
      ? { valid: true, expected, ticket: status }
      : { valid: false, reason, expected, ticket: status };
  if (status.state === 'unknown') return verdict('unknown-ticket');
  if (status.state === 'expired') return verdict('expired-ticket');
  if (status.kind === 'wx_card') return verdict('not-a-jsapi-ticket');
  return verdict(claim.signature === expected ? undefined : 'bad-signature');
}

/**
 * Validates a signature claim read from JSON or given by a test.
 * @throws TypeError naming the field
 */
export function jsapiSignatureClaimOf(value: Record<string, unknown>): JsapiSignatureClaim {
  for (const field of ['ticket', 'nonceStr', 'url', 'signature'] as const) {
    if (typeof value[field] !== 'string') throw new TypeError(`${field} must be a string`);
  }
  const { timestamp } = value;
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') {
    throw new TypeError('timestamp must be a string or a number');
  }
  return value as unknown as JsapiSignatureClaim;
}
