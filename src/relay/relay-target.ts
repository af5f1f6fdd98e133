/**
 * The URL a relayed call goes to: the configured base URL of the app's platform, the
 * normalised path appended to it, the rewritten query. Nothing of the request can change the
 * host: the path was checked segment by segment (`relayPathOf`), the query is only ever after
 * `?`, headers are not read; and the origin of the result is asserted to be the base's.
 */
export function relayTargetUrl(baseUrl: string, path: string, query: string): URL {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  // `#` cannot start a fragment here: the query keeps it percent-encoded.
  const search = query === '' ? '' : `?${query.replace(/#/g, '%23')}`;
  const target = new URL(`${base.origin}${basePath}${path}${search}`);
  if (target.origin !== base.origin || !target.pathname.startsWith(`${basePath}/`)) {
    // Unreachable with a path from relayPathOf: a guard against a future change of either.
    throw new Error(`Relay target ${target.origin} is not under the platform's base URL`);
  }
  return target;
}
