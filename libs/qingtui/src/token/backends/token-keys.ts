import type { ResolvedApp } from '../../config/resolved-options.js';

/** What a store key holds. */
export type TokenKeyKind =
  | 'token'
  | 'lock'
  | 'token-call'
  | `probe:${string}`
  | 'force-call'
  | `force:${string}`
  | `calls:${string}`
  | `quota-exhausted:${string}`
  | `quota-clears:${string}`;

/**
 * Builds every store key, in one place: `prefix:namespace:appId:kind`, where the namespace is the
 * app's platform (or a distinct one, such as WeChat's stable_token) and `appId` its public
 * identity on that platform (an AppID, WeCom's `corpId/agentId`). No secret ever goes into a key.
 */
export function tokenKey(
  prefix: string,
  namespace: string,
  appId: string,
  kind: TokenKeyKind,
): string {
  return `${prefix}:${namespace}:${appId}:${kind}`;
}

/** A store key of one app. */
export function appKey(
  prefix: string,
  app: Pick<ResolvedApp, 'keyNamespace' | 'appId'>,
  kind: TokenKeyKind,
): string {
  return tokenKey(prefix, app.keyNamespace, app.appId, kind);
}
