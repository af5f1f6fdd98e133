/** What a store key holds. */
export type TokenKeyKind =
  | 'token'
  | 'lock'
  | 'token-call'
  | `calls:${string}`
  | `quota-exhausted:${string}`;

/**
 * Builds every store key, in one place: `prefix:platform:appId:kind`.
 * AppIDs are public identifiers; no secret ever goes into a key.
 */
export function tokenKey(prefix: string, platform: string, appId: string, kind: TokenKeyKind): string {
  return `${prefix}:${platform}:${appId}:${kind}`;
}
