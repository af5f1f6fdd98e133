/** The query-string parameters that carry the access_token, by platform (Qingtui takes both). */
const TOKEN_PARAMS: Readonly<Record<string, readonly string[]>> = {
  qingtui: ['access_token', 'accessToken'],
  'wechat-mp': ['access_token'],
  wecom: ['access_token'],
};

/** Longest query string relayed (platform queries are a few parameters). */
export const MAX_QUERY_LENGTH = 8 * 1024;

function nameOf(pair: string): string {
  const raw = pair.split('=')[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function valueOf(pair: string): string {
  const at = pair.indexOf('=');
  const raw = at < 0 ? '' : pair.slice(at + 1).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A request's query: the token it presented, and the other parameters as sent. */
export interface RelayQuery {
  /** The first `access_token` (or Qingtui `accessToken`) value, decoded; undefined if none. */
  presentedToken?: string;
  /** The name the token came under (kept on the way out), `access_token` by default. */
  tokenParam: string;
  /** The other `name=value` pairs, raw (as the client encoded them), in order. */
  others: string[];
}

/** Splits a raw query string (without `?`) into the presented token and the other parameters. */
export function parseRelayQuery(platform: string, rawQuery: string): RelayQuery {
  const names = TOKEN_PARAMS[platform] ?? ['access_token'];
  const query: RelayQuery = { tokenParam: 'access_token', others: [] };
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const name = nameOf(pair);
    if (names.includes(name)) {
      if (query.presentedToken === undefined) {
        query.presentedToken = valueOf(pair);
        query.tokenParam = name;
      }
      continue;
    }
    query.others.push(pair);
  }
  return query;
}

/** The query sent to the platform: the other parameters as sent, then the server's token. */
export function relayQueryWith(query: RelayQuery, token: string): string {
  return [...query.others, `${query.tokenParam}=${encodeURIComponent(token)}`].join('&');
}
