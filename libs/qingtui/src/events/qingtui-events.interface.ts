import type { QingtuiErrorKind } from '../errors/qingtui-api.error.js';
import type { TokenOrigin } from '../core/credential-record.js';
import type { RenewalReason } from '../core/credential-source.js';

/**
 * What every event carries: the app (its name in the module's options) and its platform. No
 * event ever holds a token, a refresh_token, an AppSecret or a client key.
 */
export interface QingtuiEventBase {
  /** Name of the app, as configured (`apps[].name`). */
  app: string;
  /** Platform of the app (`qingtui`). */
  platform: string;
  /** When it happened (ISO 8601, UTC). */
  at: string;
}

/** A failure, as events describe it: the platform's errcode and errmsg, never a request. */
export interface QingtuiEventError {
  kind: QingtuiErrorKind | 'internal';
  errcode?: number;
  errmsg: string;
}

/** `qingtui.token.renewed`: a new token is in use. */
export interface QingtuiTokenRenewedEvent extends QingtuiEventBase {
  /** How it was obtained: `credentials` (AppSecret), `refresh-token`, `central-server`. */
  via: TokenOrigin;
  /** Why: `initial` (cold start), `scheduled`, `stale` (reported rejected), `expired`. */
  reason: RenewalReason;
  /** Generation of the record (one more than the token it replaces). */
  generation: number;
  /** When the new token expires (ISO 8601). */
  expiresAt: string;
  /** From the start of the renewal (retries included) to the new token. */
  durationMs: number;
  /** Time spent waiting for the store's renewal lock before calling the platform. */
  lockWaitMs: number;
}

/** `qingtui.token.renewal-failed`: one failed renewal; calls are held back for `retryInMs`. */
export interface QingtuiRenewalFailedEvent extends QingtuiEventBase {
  reason: RenewalReason;
  error: QingtuiEventError;
  /** Failed renewals in a row. */
  consecutiveFailures: number;
  /** When the next attempt is allowed, in ms from now. */
  retryInMs: number;
  /** Whether a valid token is still being served meanwhile. */
  tokenStillValid: boolean;
  durationMs: number;
}

/** `qingtui.token.stale-reported`: a report that the token was rejected, and what came of it. */
export interface QingtuiStaleTokenReportedEvent extends QingtuiEventBase {
  /**
   * - `renewed`: the rejection was confirmed and the token renewed;
   * - `already-replaced`: the reported token was no longer the current one (no cost);
   * - `refused`: the platform still accepts the token (or the quota's reserve leaves no call to
   *   check it), so nothing was renewed.
   */
  outcome: 'renewed' | 'already-replaced' | 'refused';
  /** `caller`: `refreshIfCurrent()` (a client of the central server); `interceptor`: the library's own HTTP calls. */
  by: 'caller' | 'interceptor';
}

/** `qingtui.credentials.rejected`: the platform refused the credentials; backing off. */
export interface QingtuiCredentialsRejectedEvent extends QingtuiEventBase {
  errcode?: number;
  errmsg: string;
  /** Refusals in a row (the back-off doubles with each, up to an hour). */
  consecutiveRejections: number;
  retryInMs: number;
}

/** `qingtui.quota.warning` and `qingtui.quota.exhausted`. */
export interface QingtuiQuotaEvent extends QingtuiEventBase {
  /** Platform day (Beijing time), `YYYY-MM-DD`. */
  day: string;
  /** Calls made today by every instance sharing the store. */
  used: number;
  /** The daily quota; absent when unlimited (exhausted only because the platform said so). */
  limit?: number;
  /** Exhausted because the platform answered so (rather than by count). */
  byPlatform: boolean;
  /** When the counts start again (ISO 8601). */
  resetsAt: string;
}

/**
 * `qingtui.store.degraded` and `qingtui.store.recovered`. Fired once per occurrence for each app
 * whose tokens the store holds (a store shared by three apps: three events, one per app).
 */
export interface QingtuiStoreEvent extends QingtuiEventBase {
  store: 'redis';
  /** What failed (degraded only), e.g. `heartbeat: no answer within 2000 ms`. Never a password. */
  reason?: string;
  /** How long the store was unreachable (recovered only). */
  downForMs?: number;
}

/** The kinds of platform call told apart by `qingtui.platform.call`. */
export type QingtuiPlatformEndpointKind = 'token' | 'refresh' | 'probe' | 'ticket' | 'api';

/** `qingtui.platform.call`: one HTTP call to the platform. */
export interface QingtuiPlatformCallEvent extends QingtuiEventBase {
  endpoint: QingtuiPlatformEndpointKind;
  /** `ok`, or the class of the failure (the errcode's class, or `transient` for no answer). */
  outcome: 'ok' | QingtuiErrorKind;
  errcode?: number;
  durationMs: number;
}

/** Payload of each event, by name (the names of `QINGTUI_EVENTS`). */
/** `qingtui.ticket.renewed`: a new JS-SDK ticket (a repeated one is not new). */
export interface QingtuiTicketRenewedEvent extends QingtuiTokenRenewedEvent {
  /** `jsapi`, `wx_card`, `agent_config`. */
  kind: string;
}

/** `qingtui.ticket.renewal-failed`: one failed ticket renewal. */
export interface QingtuiTicketRenewalFailedEvent extends QingtuiRenewalFailedEvent {
  kind: string;
}

export interface QingtuiEventMap {
  'qingtui.token.renewed': QingtuiTokenRenewedEvent;
  'qingtui.token.renewal-failed': QingtuiRenewalFailedEvent;
  'qingtui.ticket.renewed': QingtuiTicketRenewedEvent;
  'qingtui.ticket.renewal-failed': QingtuiTicketRenewalFailedEvent;
  'qingtui.token.stale-reported': QingtuiStaleTokenReportedEvent;
  'qingtui.credentials.rejected': QingtuiCredentialsRejectedEvent;
  'qingtui.quota.warning': QingtuiQuotaEvent;
  'qingtui.quota.exhausted': QingtuiQuotaEvent;
  'qingtui.store.degraded': QingtuiStoreEvent;
  'qingtui.store.recovered': QingtuiStoreEvent;
  'qingtui.platform.call': QingtuiPlatformCallEvent;
}

/** What the emitting code gives: the bus adds `platform` and `at`. */
export type QingtuiEventInput<K extends keyof QingtuiEventMap> = Omit<
  QingtuiEventMap[K],
  'platform' | 'at'
>;
