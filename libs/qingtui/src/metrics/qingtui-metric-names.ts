/**
 * Names of the Prometheus metrics of the library (with `metrics` in the module options). Every
 * one is labelled `app` and `platform`; none holds a token or a secret.
 */
export const QINGTUI_METRICS = {
  /** Counter: tokens obtained; labels `via` (credentials, refresh-token, central-server) and `reason` (initial, scheduled, stale, expired). */
  tokenGrants: 'qingtui_token_grants_total',
  /** Counter: failed renewals; label `kind` (credential, transient, rate-limit, quota...). */
  renewalFailures: 'qingtui_renewal_failures_total',
  /** Counter: JS-SDK tickets obtained (a repeated one is not counted); labels `kind` (jsapi, wx_card, agent_config) and `reason`. */
  ticketGrants: 'qingtui_ticket_grants_total',
  /** Counter: failed ticket renewals; labels `kind` (the ticket's) and `error` (credential, transient, rate-limit...). */
  ticketRenewalFailures: 'qingtui_ticket_renewal_failures_total',
  /** Gauge: seconds until the current ticket expires (0 once expired, or none yet); label `kind`. */
  ticketExpiresIn: 'qingtui_ticket_expires_in_seconds',
  /** Counter: HTTP calls to the platform; labels `endpoint` (token, refresh, probe, ticket, api) and `outcome` (ok or the errcode's class). */
  platformCalls: 'qingtui_platform_calls_total',
  /** Counter: reports that a token was rejected; label `outcome` (renewed, already-replaced, refused). */
  passiveRefreshReports: 'qingtui_passive_refresh_reports_total',
  /** Counter: `getToken()` calls that had to wait for the platform (cold start, no valid token). */
  callersWaited: 'qingtui_callers_waited_total',
  /** Gauge: seconds until the current token expires (0 once expired). */
  tokenExpiresIn: 'qingtui_token_expires_in_seconds',
  /** Gauge: lifetime of the current token (its `expires_in`), for "within 10% of expiry" alerts. */
  tokenLifetime: 'qingtui_token_lifetime_seconds',
  /** Gauge: 1 while a valid token is held, 0 otherwise. */
  tokenValid: 'qingtui_token_valid',
  /** Gauge: platform calls today (Beijing day) by every instance sharing the store. */
  platformCallsToday: 'qingtui_platform_calls_today',
  /** Gauge: share of the daily quota used today (apps with a quota, or exhausted by the platform's word). */
  quotaUsedRatio: 'qingtui_quota_used_ratio',
  /** Gauge: 1 while the token store answers, 0 while degraded; label `store` (memory, redis). */
  storeUp: 'qingtui_store_up',
  /** Histogram: seconds from the start of a renewal (retries included) to its end; label `outcome` (success, failure). */
  renewalDuration: 'qingtui_renewal_duration_seconds',
  /** Histogram: seconds a renewal waited for the store's renewal lock. */
  lockWait: 'qingtui_lock_wait_seconds',
} as const;
