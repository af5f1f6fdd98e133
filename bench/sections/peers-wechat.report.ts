import { table } from '../support/markdown-table.js';
import {
  PEERS_LIFETIMES,
  PEERS_TTL_S,
  PEERS_WECHAT_SETUP,
  type PeersWechatResult,
  type PeersWechatRow,
} from './peers-wechat.js';

/** `12 (40001: 10, 42001: 2)`, or `0`. */
function withBreakdown(
  total: number,
  parts: Record<string | number, number>,
  label = (k: string) => k,
): string {
  const entries = Object.entries(parts).filter(([, n]) => n > 0);
  if (total === 0 || entries.length === 0) return String(total);
  return `${total} (${entries.map(([k, n]) => `${label(k)}: ${n}`).join(', ')})`;
}

/** One line per row for the bench's progress output. */
export function peersWechatLogLine(r: PeersWechatRow): string {
  if (r.error !== undefined)
    return `${r.variant}, ${r.store}, N=${r.instances}: did not run (${r.error.split('\n')[0]})`;
  return (
    `${r.variant}, ${r.store}, N=${r.instances}: ${r.grants} grants (${r.grantsPerLifetime}/lifetime), ` +
    `${r.rejected} rejected, ${r.failed}/${r.calls} failed, p99 ${r.p99Ms} ms`
  );
}

/** The section's Markdown body (under its heading in BENCHMARKS.md). */
export function peersWechatMarkdown(result: PeersWechatResult): string {
  const rows = result.rows.map((r) => [
    r.variant,
    r.store,
    r.instances,
    r.error === undefined ? r.calls : 'did not run',
    r.grants,
    r.grantsPerLifetime,
    withBreakdown(r.rejected, r.rejectedByErrcode),
    withBreakdown(r.failed, r.failures),
    r.p99Ms,
  ]);
  const broken = result.rows.filter((r) => r.error !== undefined);
  const fetchRejections = result.rows.filter((r) => r.tokenRejected > 0);
  return `${PEERS_WECHAT_SETUP}. Wall time of the section: ${result.wallS} s.

"Token grants" are new tokens the sandbox issued to the run's app during the window (the platform's
count, exact); "grants / lifetime" divides them by the ${PEERS_LIFETIMES} lifetimes. "Rejected by platform"
are business calls the platform answered with an errcode (by errcode: 40001 = a token that is not the
latest, after the overlap), including those the library then retried; "failed" are calls whose caller got
no \`ip_list\` (by reason). p99 is one business call as the caller saw it, token fetches and retries included;
the processes of a library share the machine's two cores, so p99 compares best within one library.

${table(
  [
    'library',
    'token store',
    'N',
    'business calls',
    'token grants',
    'grants / lifetime',
    'rejected by platform',
    'failed',
    'p99 (ms)',
  ],
  rows,
)}
${
  broken.length > 0
    ? `\nRuns that could not be made:\n\n${broken.map((r) => `- ${r.variant}, ${r.store}, N=${r.instances}: ${r.error?.split('\n')[0]}`).join('\n')}\n`
    : ''
}${
    fetchRejections.length > 0
      ? `\nToken fetches the platform rejected: ${fetchRejections.map((r) => `${r.variant} ${r.store} N=${r.instances}: ${r.tokenRejected} of ${r.tokenFetches}`).join('; ')}.\n`
      : ''
  }
How each library was run (public API and documented hooks only, nothing patched; versions from
\`bench/peers/package-lock.json\`, installed apart from the repository's lock file):

- **co-wechat-api**: \`new API(appid, secret[, getToken, saveToken])\`, \`api.prefix = '<sandbox>/cgi-bin/'\`,
  \`api.getIp()\`. Redis: the README's cluster recipe (the token object as JSON under one key). From its
  source: a token counts as expired 10 s before \`expires_in\` (by the local clock), so with ${PEERS_TTL_S} s tokens
  each holder renews after ${PEERS_TTL_S - 10} s, where at the real 7200 s it renews after 7190 s; on 40001 / 42001
  it calls \`saveToken(null)\`, fetches a new token and retries, up to 3 times; no single-flight.
- **wechat-api**: the same constructor with callback hooks; \`api.endpoint = '<sandbox>'\` (its
  \`setEndpoint()\` forces https); \`api.getIp(cb)\`. Same 10 s margin; on 40001 it retries once with the
  token its store holds, without fetching.
- **node-easywechat**: \`new OfficialAccount({ app_id, secret, http: { baseURL: '<sandbox>/' } })\` (\`http\` is
  axios's request config, documented), \`app.getClient().get('cgi-bin/getcallbackip')\`. Default: its file
  cache, one folder per process (\`file_cache.path\`), as on separate hosts; Redis: the README's
  \`CacheInterface\` on ioredis, set with \`setCache()\` (the README says \`setCacher\`, which 3.6 lacks). It caches
  the token for the whole \`expires_in\` and never refetches on 40001; its cache key holds the AppSecret.

Not run:

${result.notRun.map((n) => `- **${n.name}**: ${n.reason}`).join('\n')}
`;
}
