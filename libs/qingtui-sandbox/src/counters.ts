/** Call statistics of one app, or of all calls together. */
export interface AppCounters {
  /** `/v1/token` requests, faulted ones included. */
  tokenCalls: number;
  /** Successful `/v1/token` answers. */
  tokenGrants: number;
  /** Rejected `/v1/token` answers, by errcode. */
  tokenRejected: Record<number, number>;
  /** `/auth/autoRefreshToken` requests, faulted ones included. */
  refreshCalls: number;
  /** Successful `/auth/autoRefreshToken` answers. */
  refreshGrants: number;
  /** Rejected `/auth/autoRefreshToken` answers, by errcode. */
  refreshRejected: Record<number, number>;
  /** `tokenGrants + refreshGrants`: access tokens issued. */
  grants: number;
  /** Requests to every other platform endpoint, faulted ones included. */
  apiCalls: number;
  /** API calls that carried a missing, unknown, expired, revoked or superseded access_token. */
  invalidTokenCalls: number;
  /** Messages the platform accepted (one per {@link Delivery}). */
  deliveries: number;
  /** Calls charged to today's quota. Platform state: `resetCounters()` leaves it alone. */
  quotaUsedToday: number;
}

/**
 * Counters of the sandbox. `apps` holds every configured app. A call that
 * cannot be tied to an app (unknown appid, unknown refresh_token, missing or
 * forged access_token) counts in `total` only, so `total` may exceed the sum
 * of the apps. Unknown paths and the control API are never counted.
 */
export interface SandboxCounters {
  total: AppCounters;
  apps: Record<string, AppCounters>;
}

/** The plain numeric counters that are bumped by one. */
export type CountedEvent =
  | 'tokenCalls'
  | 'tokenGrants'
  | 'refreshCalls'
  | 'refreshGrants'
  | 'apiCalls'
  | 'invalidTokenCalls'
  | 'deliveries';

type Tally = Record<CountedEvent, number> & {
  tokenRejected: Map<number, number>;
  refreshRejected: Map<number, number>;
};

/** Mutable counters behind {@link SandboxCounters}. */
export class CounterBook {
  private total = newTally();
  private readonly apps = new Map<string, Tally>();

  constructor(private readonly appIds: readonly string[]) {
    this.reset();
  }

  /** Counts one event for the app (when known) and for the total. */
  bump(appId: string | undefined, event: CountedEvent): void {
    this.total[event]++;
    const app = appId === undefined ? undefined : this.apps.get(appId);
    if (app !== undefined) app[event]++;
  }

  /** Counts a rejected token or refresh call by errcode. */
  reject(
    appId: string | undefined,
    kind: 'tokenRejected' | 'refreshRejected',
    errcode: number,
  ): void {
    increment(this.total[kind], errcode);
    const app = appId === undefined ? undefined : this.apps.get(appId);
    if (app !== undefined) increment(app[kind], errcode);
  }

  /** A copy of the counters; `quotaUsed` supplies each app's quota use today. */
  snapshot(quotaUsed: (appId: string) => number): SandboxCounters {
    const apps: Record<string, AppCounters> = {};
    let totalQuota = 0;
    for (const [appId, tally] of this.apps) {
      const used = quotaUsed(appId);
      totalQuota += used;
      apps[appId] = view(tally, used);
    }
    return { total: view(this.total, totalQuota), apps };
  }

  reset(): void {
    this.total = newTally();
    this.apps.clear();
    for (const appId of this.appIds) this.apps.set(appId, newTally());
  }
}

function newTally(): Tally {
  return {
    tokenCalls: 0,
    tokenGrants: 0,
    refreshCalls: 0,
    refreshGrants: 0,
    apiCalls: 0,
    invalidTokenCalls: 0,
    deliveries: 0,
    tokenRejected: new Map(),
    refreshRejected: new Map(),
  };
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function view(tally: Tally, quotaUsedToday: number): AppCounters {
  return {
    tokenCalls: tally.tokenCalls,
    tokenGrants: tally.tokenGrants,
    tokenRejected: Object.fromEntries(tally.tokenRejected),
    refreshCalls: tally.refreshCalls,
    refreshGrants: tally.refreshGrants,
    refreshRejected: Object.fromEntries(tally.refreshRejected),
    grants: tally.tokenGrants + tally.refreshGrants,
    apiCalls: tally.apiCalls,
    invalidTokenCalls: tally.invalidTokenCalls,
    deliveries: tally.deliveries,
    quotaUsedToday,
  };
}
