/**
 * Which paths the relay forwards, for which platform, and which it leaves alone.
 *
 * Under `/apps/:app/`: `/cgi-bin/...` for WeChat Official Account and WeCom apps, `/v1/...`,
 * `/v2/...` and `/team/...` for Qingtui apps. The platform-shaped token and ticket paths are not
 * relayed: another controller serves them (`RELAY_EXCLUDED_PATHS`).
 */

/** The first path segment each platform's business calls start with. */
export const RELAY_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  'wechat-mp': ['cgi-bin'],
  wecom: ['cgi-bin'],
  qingtui: ['v1', 'v2', 'team'],
};

/**
 * Paths (after `/apps/:app`) the relay never forwards, by platform: the token and JS-SDK ticket
 * endpoints, served platform-shaped by their own controller. The relay passes such a request on
 * (`next()`), so that controller, or the 404 handler, answers it.
 */
export const RELAY_EXCLUDED_PATHS: Readonly<Record<string, readonly string[]>> = {
  'wechat-mp': ['/cgi-bin/token', '/cgi-bin/stable_token', '/cgi-bin/ticket/getticket'],
  wecom: ['/cgi-bin/gettoken', '/cgi-bin/get_jsapi_ticket', '/cgi-bin/ticket/get'],
  qingtui: ['/v1/token', '/auth/autoRefreshToken'],
};

/** One path segment as the platforms' APIs spell them, once percent-decoded. */
const SEGMENT = /^[A-Za-z0-9_.~-]{1,128}$/;
/** Most segments in a relayed path. */
const MAX_SEGMENTS = 16;

/** A relayed path, normalised, or why it is refused. */
export type RelayPath =
  { ok: true; path: string; segments: string[] } | { ok: false; problem: string };

/**
 * The platform path of a request: what follows `/apps/<app>` in the raw request target (before
 * `?`), each segment percent-decoded once and checked. Refused: an empty segment (`//evil.com`,
 * a trailing `/`), `.` or `..` (`%2e%2e` included), a decoded `/` or `\` (`%2F`, `%5C`), any
 * other character than letters, digits and `_ . ~ -`, bad percent-encoding, and over 16 segments.
 * So the result can only name a path under the platform's base URL.
 */
export function relayPathOf(rawTarget: string): RelayPath {
  const rawPath = rawTarget.split('?')[0].split('#')[0];
  const parts = rawPath.split('/');
  // ['', 'apps', '<app>', ...the platform path]
  if (parts.length < 4 || parts[0] !== '' || parts[1] !== 'apps') {
    return { ok: false, problem: 'the path is not under /apps/<app>/' };
  }
  const raw = parts.slice(3);
  if (raw.length > MAX_SEGMENTS) {
    return { ok: false, problem: `the path has more than ${MAX_SEGMENTS} segments` };
  }
  const segments: string[] = [];
  for (const part of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return { ok: false, problem: 'the path holds invalid percent-encoding' };
    }
    if (decoded === '') return { ok: false, problem: 'the path holds an empty segment (//)' };
    if (decoded === '.' || decoded === '..') {
      return { ok: false, problem: 'the path holds a "." or ".." segment' };
    }
    if (!SEGMENT.test(decoded)) {
      return {
        ok: false,
        problem: 'a path segment holds a character other than letters, digits and _ . ~ -',
      };
    }
    segments.push(decoded);
  }
  return { ok: true, path: `/${segments.join('/')}`, segments };
}

/** Whether `platform` relays paths starting with `firstSegment`. */
export function relaysPrefix(platform: string, firstSegment: string): boolean {
  return RELAY_PREFIXES[platform]?.includes(firstSegment) ?? false;
}

const EXCLUDED: ReadonlySet<string> = new Set(Object.values(RELAY_EXCLUDED_PATHS).flat());

/**
 * Whether `path` (normalised) is an excluded token or ticket path of any platform: WeChat's
 * token path is no business call of a WeCom app either.
 */
export function isExcludedPath(path: string): boolean {
  return EXCLUDED.has(path);
}
