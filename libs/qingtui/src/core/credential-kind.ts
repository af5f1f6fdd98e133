import type { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type { TokenSource } from './credential-source.js';
import type { TokenFetchSemantics } from './fetch-semantics.js';
import type { PlatformCallKind } from './platform-calls.js';
import type { ResolvedApp } from './resolved-options.js';

/**
 * The credential another kind is fetched with (a JS-SDK ticket is fetched with the app's
 * access_token), as the engine of the derived kind sees it.
 */
export interface ParentCredential {
  /** The parent's current value for the app (waits for its renewal only where it must). */
  current(app: string): Promise<string>;
  /**
   * The platform rejected `value` while the derived credential was fetched with it: that is
   * first-hand evidence, so the parent is renewed if `value` is still its current value.
   * Resolves to the value to use now.
   */
  rejected(app: string, value: string): Promise<string>;
}

/**
 * One kind of credential, as a platform declares it: the lifecycle engine (`CredentialEngine`)
 * runs the same cache, renewal timing, single-flight, lock and fenced write, passive refresh,
 * hold policy and quota gates for every kind, from these facts only.
 */
export interface CredentialKind {
  /**
   * Names the kind in store keys (see `credentialKeys`): `token` is the access_token; any other
   * name (`ticket:jsapi`, say) is stored under `…:kind:<name>`.
   */
  readonly name: string;
  /** Where its values come from (the platform, a central server, another credential). */
  readonly source: TokenSource;
  /** What its fetch does for one app: kills the previous value, repeats it, rotates in a window. */
  semanticsOf(app: ResolvedApp): TokenFetchSemantics;
  /** What its fetches count as against the app's daily quota (the gate before each renewal). */
  readonly callKind: PlatformCallKind;
  /**
   * The credential it is fetched with, if any: its current value is handed to the source, and a
   * rejection of it (`token-invalid` from the source) heals it once before the fetch is retried.
   */
  readonly parent?: ParentCredential;
  /** Whether the kind exists for this app (a ticket kind exists on some platforms only). @default all */
  appliesTo?(app: ResolvedApp): boolean;
  /** How errors name whoever answers for the app (`WeChat`, `central server`...). */
  labelOf(app: ResolvedApp): string;
  /** A longer hold than the usual back-off after this failure, where the platform asks for one. */
  minHoldMs?(app: ResolvedApp, error: QingtuiApiError): number | undefined;
}
