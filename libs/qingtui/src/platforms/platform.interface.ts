import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import type { ResolvedApp, SecretReader } from '../core/resolved-options.js';
import type { QingtuiApiError, QingtuiErrorKind } from '../errors/qingtui-api.error.js';
import type { QingtuiEvents } from '../events/qingtui-events.service.js';
export type { QuotaRules, TokenFetchSemantics } from '../core/fetch-semantics.js';
import type { PlatformCallCounter } from '../core/platform-calls.js';
import type { TokenGrant, TokenRecord } from '../core/credential-record.js';
import type { ProbeVerdict, RenewalReason } from '../core/credential-source.js';

/** What a platform makes of one entry of `apps`: the public identity and its secret reader. */
export interface PlatformApp {
  /** Everything about the app but its name and base URL, which the options resolver adds. */
  app: Omit<ResolvedApp, 'name' | 'baseUrl'>;
  /** Reads the app's secret at each credential fetch. Handed to the token fetcher only. */
  secret: SecretReader;
}

/** What a token fetcher needs from the module. */
export interface TokenFetcherDeps {
  /** The module's own axios instance (no token interceptor acts on requests without `qingtui`). */
  http: AxiosInstance;
  timeoutMs: number;
  /** Counts every platform call against the app's day. */
  usage: PlatformCallCounter;
  /**
   * Reserves the next token-call slot of the app, shared by every instance: 0 when the call may
   * go now (the slot is taken for `intervalMs`), otherwise ms to wait before asking again.
   */
  reserveTokenCall(intervalMs: number): Promise<number>;
  /**
   * Counts one call of `what` in a fixed window shared by every instance (`scopeId`: the app's
   * id or its company's, never a secret): 0 when it is within `limit`, otherwise ms until the
   * window ends (the call is then not counted). WeCom's hourly ticket limits use it.
   */
  takeFromWindow(scopeId: string, what: string, limit: number, windowMs: number): Promise<number>;
  /** Gives back a call taken from the current window (it was not sent after all). */
  giveBackToWindow(scopeId: string, what: string, windowMs: number): Promise<void>;
  /** Key of the refresh_token encryption at rest; without it, each app's secret. */
  encryptionKey?: string;
  now: () => number;
  /** Told when a refresh_token was refused and credentials are used instead. */
  onRefreshTokenRejected?(error: QingtuiApiError): void;
  /** Told of every platform call (`qingtui.platform.call`). */
  events?: QingtuiEvents;
}

/**
 * Talks to a platform's token endpoints for one app. The only holder of the app's secret: it
 * reads it at each credential fetch and never hands it out.
 */
export interface TokenFetcher {
  /**
   * Obtains a token to replace `current` (the newest stored record, if any). `force` asks for the
   * platform's forced refresh; only fetchers of platforms whose semantics have `forceRefresh`
   * are ever asked.
   */
  fetch(current: TokenRecord | undefined, reason: RenewalReason): Promise<TokenGrant>;
  /**
   * Whether the platform still accepts `token`, with the cheapest business read it offers: a
   * token-invalid errcode is `rejected`; an answer or any other errcode `accepted`; no answer
   * `unknown`.
   */
  probe(token: string): Promise<ProbeVerdict>;
  /** Resets the app's daily call quota (only where the semantics have `clearQuota`). */
  clearQuota?(): Promise<void>;
  /**
   * Fetches a JS-SDK ticket of `kind` (one of the app's `tickets.kinds`) with `accessToken`. A
   * rejected token is a `token-invalid` `QingtuiApiError`, which the lifecycle heals once.
   */
  fetchTicket?(kind: string, accessToken: string): Promise<TokenGrant>;
}

/**
 * One token platform (Qingtui, the WeChat Official Account, WeCom...): everything the library
 * knows of its wire format and rules sits in its folder behind this interface. The lifecycle,
 * the interceptor, the store keys and the module use this interface only; a platform is added
 * with a folder and one line in `platforms.registry.ts`.
 *
 * @typeParam Name the value of `platform` in an app's configuration
 * @typeParam AppConfig the shape of the platform's entries in `apps`
 * @typeParam Rules the shape of the platform's entry in `platformRules`
 */
export interface TokenPlatform<Name extends string = string, AppConfig = unknown, Rules = unknown> {
  readonly name: Name;
  /** How messages and errors name the platform: `WeChat`, `WeCom`... */
  readonly label: string;
  /** The production base URL. */
  readonly defaultBaseUrl: string;
  /** Its JS-SDK ticket kinds (`jsapi`, `wx_card`, `agent_config`...); empty: none. */
  readonly ticketKinds: readonly string[];
  /** Type carrier of the app configuration (never set). */
  readonly appConfig?: AppConfig;
  /**
   * Validates the platform's entry of `platformRules` (undefined when absent) and applies its
   * defaults. @throws QingtuiConfigError naming `field` and the rule
   */
  resolveRules(raw: unknown, field: string): Required<Rules>;
  /**
   * Validates one entry of `apps` (its `name` already checked) and returns its public identity,
   * semantics and quota, and its secret reader.
   * @param at the entry's path in the options, e.g. `apps[2]`
   * @throws QingtuiConfigError naming the field, never quoting a secret
   */
  resolveApp(entry: Record<string, unknown>, at: string, rules: Required<Rules>): PlatformApp;
  /** What an errcode means on an endpoint of this platform (`errmsg` tells quota from frequency). */
  classify(errcode: number, endpoint: string, errmsg: string): QingtuiErrorKind;
  /**
   * The shortest hold of token calls after this failure, when the platform asks for more than
   * the lifecycle's usual back-off (WeChat 89503: one rejected risky IP is blocked for an hour).
   */
  minHoldMs?(error: QingtuiApiError): number | undefined;
  /** Adds the access_token to a business request (all three use the `access_token` query). */
  attachToken(config: AxiosRequestConfig, token: string): void;
  /** The token fetcher of one app: the only code that ever receives its secret. */
  createFetcher(deps: TokenFetcherDeps, app: ResolvedApp, secret: SecretReader): TokenFetcher;
}
