import { createHash, randomBytes } from 'node:crypto';
import { QingtuiValidationError } from '../errors/qingtui-validation.error.js';

/** Longest page URL signed (the platforms give none; browsers handle far more, pages far less). */
export const JSAPI_URL_MAX_LENGTH = 4_096;

/**
 * The JS-SDK signature shared by the three platforms (WeChat's appendix 1, WeCom's and Qingtui's
 * copies of it): the lowercase hex SHA-1 of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, keys
 * in ASCII order, raw values (no URL encoding), the page URL without its `#` fragment.
 */
export function jsapiSignature(input: {
  ticket: string;
  nonceStr: string;
  timestamp: number | string;
  url: string;
}): string {
  const plain =
    `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}` +
    `&timestamp=${input.timestamp}&url=${withoutFragment(input.url)}`;
  return createHash('sha1').update(plain, 'utf8').digest('hex');
}

/** The URL without anything from its first `#`. */
export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** A random nonce: 16 characters of [A-Za-z0-9_-] (the platforms ask for at most 32). */
export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The page URL to sign: absolute http(s), at most 4,096 characters, its fragment dropped, its
 * host within `domains` when given (`example.com`, or `*.example.com` for its subdomains).
 * @throws QingtuiValidationError naming `url`
 */
export function pageUrlToSign(raw: unknown, domains?: readonly string[]): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new QingtuiValidationError('url', 'is required: the absolute URL of the page');
  }
  if (raw.length > JSAPI_URL_MAX_LENGTH) {
    throw new QingtuiValidationError('url', `must be at most ${JSAPI_URL_MAX_LENGTH} characters`);
  }
  const url = withoutFragment(raw);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QingtuiValidationError('url', 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new QingtuiValidationError('url', 'must be an absolute http(s) URL');
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\s\u0000-\u001f]/.test(url)) {
    throw new QingtuiValidationError('url', 'must not hold spaces or control characters');
  }
  if (domains !== undefined && !domains.some((d) => hostMatches(parsed.host, d))) {
    throw new QingtuiValidationError(
      'url',
      `is not on a JS-safe domain of this app (${domains.slice(0, 5).join(', ')}${domains.length > 5 ? ', …' : ''})`,
    );
  }
  return url;
}

function hostMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  if (domain.startsWith('*.')) return h.endsWith(domain.slice(1)) && h.length > domain.length - 1;
  return h === domain;
}
