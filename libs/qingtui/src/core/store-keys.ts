import { flatString } from './flat-string.js';
import type { ResolvedApp } from './resolved-options.js';

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
  | `quota-clears:${string}`
  | `kind:${string}`
  | `window:${string}`
  | `idempotency:${string}`
  | `sliding:${string}`;

/**
 * Builds every store key, in one place: `prefix:{namespace:appId}:kind`, where the namespace is
 * the app's platform (or a distinct one, such as WeChat's stable_token) and `appId` its public
 * identity on that platform (an AppID, WeCom's `corpId/agentId`). No secret ever goes into a key.
 *
 * `{namespace:appId}` is a Redis Cluster hash tag: every key of one app hashes to one slot (so
 * that anything touching several keys of an app stays on one node), and the apps spread over the
 * cluster. The prefix never holds a brace (see `keyPrefix`), so the tag is the same for every
 * key of an app whatever its AppID holds.
 */
export function tokenKey(
  prefix: string,
  namespace: string,
  appId: string,
  kind: TokenKeyKind,
): string {
  return flatString(prefix, ':{', namespace, ':', appId, '}:', kind);
}

/** A store key of one app. */
export function appKey(
  prefix: string,
  app: Pick<ResolvedApp, 'keyNamespace' | 'appId'>,
  kind: TokenKeyKind,
): string {
  return tokenKey(prefix, app.keyNamespace, app.appId, kind);
}

/**
 * The store keys of one credential kind of one app: the access_token (`token`) keeps the keys it
 * always had (`…:token`, `…:lock`, `…:probe:…`), so that instances of every version share one
 * record; any other kind lives under `…:kind:<name>` (`…:kind:<name>:lock`...).
 */
export class CredentialKeys {
  /** Its record. */
  readonly record: string;
  /** Its renewal lock. */
  readonly lock: string;

  constructor(prefix: string, app: Pick<ResolvedApp, 'keyNamespace' | 'appId'>, kind: string) {
    this.record = appKey(prefix, app, kind === 'token' ? 'token' : `kind:${kind}`);
    this.lock = appKey(prefix, app, kind === 'token' ? 'lock' : `kind:${kind}:lock`);
  }

  /** The shared slot of a probe of one generation, under one of the two probe schedules. */
  probe(schedule: string, generation: number): string {
    // `…}:token` → `…}:probe:…`; `…}:kind:<name>` → `…}:kind:<name>:probe:…`.
    return this.record.endsWith('}:token')
      ? flatString(this.record.slice(0, -'token'.length), 'probe:', schedule, ':', generation)
      : flatString(this.record, ':probe:', schedule, ':', generation);
  }
}

/** The keys of a credential kind of an app (see `CredentialKeys`). */
export function credentialKeys(
  prefix: string,
  app: Pick<ResolvedApp, 'keyNamespace' | 'appId'>,
  kind: string,
): CredentialKeys {
  return new CredentialKeys(prefix, app, kind);
}
