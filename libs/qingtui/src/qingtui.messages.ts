import type { QingtuiApiError } from './errors/qingtui-api.error.js';

/**
 * Log and error texts, in one place. They name apps by name and AppID only: never an
 * AppSecret, a refresh_token, a client key or a whole access_token.
 */

/** Last characters of a token, enough to tell two tokens apart in a log. */
export function tokenTail(token: string | undefined): string {
  return token ? `…${token.slice(-6)}` : 'none';
}

export function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'QingtuiApiError') {
    const e = error as QingtuiApiError;
    return `${e.kind} error on ${e.endpoint}${e.errcode === undefined ? '' : ` (errcode ${e.errcode})`}: ${e.errmsg}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Who answers in consumer mode, as `QingtuiApiError.platform` names it. */
export const CENTRAL_SERVER_LABEL = 'central server';

/** Whether a failure came from the central control server (consumer mode). */
function isFromCentralServer(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'QingtuiApiError' &&
    (error as QingtuiApiError).platform === CENTRAL_SERVER_LABEL
  );
}

export const messages = {
  unknownApp: (name: string | undefined, known: string[]) =>
    `Unknown Qingtui app "${name}". Configured apps: ${known.join(', ')}`,
  noQingtuiApp: (known: string[]) =>
    `No Qingtui app is configured (apps: ${known.join(', ')}): QingtuiClient speaks the Qingtui API only`,
  notQingtuiApp: (app: string, platform: string) =>
    `"${app}" is a ${platform} app: QingtuiClient speaks the Qingtui API only; use ` +
    `${platform === 'wecom' ? 'QingtuiClients.wecom()' : platform === 'wechat-mp' ? 'QingtuiClients.wechat()' : 'its own client'}, ` +
    `or @InjectQingtuiHttp() with { qingtui: { app: '${app}' } }`,
  notPlatformApp: (app: string, platform: string, client: string, wanted: string) =>
    `"${app}" is a ${platform} app: ${client} speaks the ${wanted} API only`,
  noAgentId: (app: string) =>
    `The WeCom app "${app}" has no agentId in this module's configuration (consumer mode?): ` +
    'message sends need it',
  renewed: (app: string, origin: string, generation: number, expiresInS: number) =>
    `Token of "${app}" renewed with ${origin} (generation ${generation}, valid ${expiresInS} s)`,
  adopted: (app: string, generation: number) =>
    `Token of "${app}" taken from the store (generation ${generation}), no platform call`,
  renewalFailed: (app: string, error: unknown, retryInMs: number, stillValidMs: number) =>
    `Renewing the token of "${app}" failed: ${describeFailure(error)}. Retrying in ${retryInMs} ms; ` +
    (stillValidMs > 0
      ? `the current token stays in use (${Math.round(stillValidMs / 1000)} s left)`
      : 'no valid token is available'),
  credentialsRejected: (app: string, label: string, error: unknown, retryInMs: number) =>
    isFromCentralServer(error)
      ? `The central server refused the client key for "${app}" (${label}): ` +
        `${describeFailure(error)}. Check centralServer.apiKey (a key of the server, allowed to ` +
        `use this app); next attempt in ${Math.round(retryInMs / 1000)} s (backing off up to an hour).`
      : `The platform refused the credentials of "${app}" (${label}): ${describeFailure(error)}. ` +
        `Check the app's identity, its secret and the server's IP allow-list; next attempt in ` +
        `${Math.round(retryInMs / 1000)} s (backing off up to an hour; a replaced secret is tried at once).`,
  scheduleModuleMissing: () =>
    'QingtuiModule needs @nestjs/schedule: import ScheduleModule.forRoot() from @nestjs/schedule ' +
    'in your root module (once). The library keeps its renewal timers in its SchedulerRegistry ' +
    'and runs its safety-net sweep as a @Cron job; it starts no scheduler of its own, so that ' +
    "your application's jobs never run twice.",
  sameTokenKept: (app: string, validS: number, nextAt: number) =>
    `Token of "${app}" renewed: the platform answered the same token (valid ${validS} s); ` +
    `its expiry is kept, next attempt from ${new Date(nextAt).toISOString()}`,
  forceRefreshing: (app: string, used: number, limit: number) =>
    `Forced refresh of the token of "${app}" (${used} of ${limit} today): the platform invalidates the current token now`,
  forceRefreshTooSoon: (app: string, spacingMs: number) =>
    `forced refresh of "${app}" refused: forced refreshes must be ${Math.round(spacingMs / 1000)} s apart`,
  forceRefreshBudgetUsed: (app: string, limit: number) =>
    `forced refresh of "${app}" refused: its ${limit} forced refreshes of the day are used`,
  noForceRefresh: (app: string, label: string) =>
    `"${app}" (${label}) has no forced refresh: only WeChat apps with stableToken do (and not in consumer mode)`,
  noClearQuota: (app: string, label: string) =>
    `"${app}" (${label}) has no quota reset: only WeChat apps do (clear_quota/v2), and not in consumer mode`,
  usageRestored: (app: string, known: number, stored: number) =>
    `The store held ${stored} of today's platform calls of "${app}", this instance knew of ${known} (the store restarted empty or was flushed): restored to ${known}`,
  quotaCleared: (app: string) =>
    `Daily call quota of "${app}" reset on the platform (clear_quota/v2): token calls resume`,
  recovered: (app: string, failures: number) =>
    `Token of "${app}" renewed again after ${failures} failed attempt(s)`,
  reportNotChecked: (app: string) =>
    `A rejected token of "${app}" was reported, but the daily quota's reserve leaves no call to ` +
    'check it: the current token stays in use',
  quotaHeldBack: (state: string, used: number, limit: number | undefined) =>
    state === 'exhausted'
      ? `daily call quota used up (${used}${limit === undefined ? '' : ` of ${limit}`}); no platform call until the next Beijing day`
      : `daily call quota in its reserve (${used} of ${limit}): kept for scheduled renewals`,
  heldBack: (app: string, reason: string) =>
    `No valid token for "${app}" and platform calls are held back (${reason})`,
  refreshTokenRejected: (app: string, errcode: number | undefined) =>
    `refresh_token of "${app}" refused (errcode ${errcode}); falling back to /v1/token`,
  staleReported: (app: string, token: string) =>
    `Token ${tokenTail(token)} of "${app}" reported as rejected; renewing`,
  notFetchedYet: (app: string) =>
    `The token of "${app}" is not fetched yet: the start-up fetches the apps' tokens in turn`,
  prefetchInBackground: (fetched: number, total: number, waitedMs: number) =>
    `Start-up: ${fetched} of ${total} apps have a token after ${waitedMs} ms; the others are fetched ` +
    'in the background (until then, they answer "not fetched yet" at once)',
  lockWaitTimedOut: (app: string) =>
    `Gave up waiting for another instance to renew the token of "${app}"`,
};
