import type { SandboxPlatform } from '../sandbox.options.js';
import { TICKET_KINDS, type TicketKind } from './ticket-kinds.js';

/** How a new access token came to be issued. */
export type GrantKind = 'credentials' | 'refresh' | 'stable' | 'force';

/** Ticket calls and new tickets of one kind. */
export interface TicketKindCounters {
  /** Requests for a ticket of this kind, faulted ones included. */
  calls: number;
  /** New tickets of this kind issued (not repeated answers of the current one). */
  grants: number;
}

/**
 * Call statistics of one app, of one platform or of all calls together. Every
 * field exists for every platform; those a platform has no endpoint for stay 0.
 */
export interface AppCounters {
  /**
   * Requests to the credentials token endpoint, faulted ones included: Qingtui
   * `/v1/token`, WeChat `/cgi-bin/token`, WeCom `/cgi-bin/gettoken`.
   */
  tokenCalls: number;
  /** Successful answers of that endpoint (WeCom: repeated answers with the same token included). */
  tokenGrants: number;
  /** Rejected answers of that endpoint, by errcode. */
  tokenRejected: Record<number, number>;
  /** Qingtui `/auth/autoRefreshToken` requests, faulted ones included. */
  refreshCalls: number;
  /** Successful `/auth/autoRefreshToken` answers. */
  refreshGrants: number;
  /** Rejected `/auth/autoRefreshToken` answers, by errcode. */
  refreshRejected: Record<number, number>;
  /** WeChat `/cgi-bin/stable_token` requests (both modes), faulted ones included. */
  stableCalls: number;
  /** Successful `/cgi-bin/stable_token` answers, whether they carry a new token or the current one. */
  stableGrants: number;
  /** Rejected `/cgi-bin/stable_token` answers, by errcode. */
  stableRejected: Record<number, number>;
  /** New access tokens the platform issued: the sum of {@link grantsByKind}. */
  grants: number;
  /**
   * New access tokens by how they were issued: `credentials` (`/v1/token`,
   * `/cgi-bin/token`, `/cgi-bin/gettoken`), `refresh` (Qingtui refresh_token),
   * `stable` (`/cgi-bin/stable_token` normal mode: first token and
   * self-rotation), `force` (`/cgi-bin/stable_token` forced refreshes).
   */
  grantsByKind: Record<GrantKind, number>;
  /** Requests to every other platform endpoint (business calls), faulted ones included. */
  apiCalls: number;
  /** Business calls answered with a non-zero errcode, by errcode. */
  apiRejected: Record<number, number>;
  /** Business calls that carried a missing, unknown, expired, revoked or superseded access_token. */
  invalidTokenCalls: number;
  /**
   * Messages delivered: Qingtui, one per accepted message (per `Delivery`);
   * WeChat and WeCom, one per `PushDelivery` (a message that reached at
   * least one recipient).
   */
  deliveries: number;
  /**
   * WeChat and WeCom: sends answered errcode 0 that left recipients out
   * silently, one per `PushDrop` (WeCom per-member limits and duplicate
   * check, WeChat template `client_msg_id`).
   */
  drops: number;
  /** WeChat `/cgi-bin/clear_quota/v2` requests, faulted ones included. */
  quotaResetCalls: number;
  /** Successful `/cgi-bin/clear_quota/v2` answers. */
  quotaResets: number;
  /** Rejected `/cgi-bin/clear_quota/v2` answers, by errcode. */
  quotaResetRejected: Record<number, number>;
  /**
   * Calls charged to today's quota. Qingtui: every call charged to the
   * edition's daily quota (UTC day); WeChat: `/cgi-bin/token` calls charged to
   * the daily token quota (Beijing day, given back by `clear_quota/v2`);
   * WeCom: 0 (its limit is per minute). Platform state: `resetCounters()`
   * leaves it alone.
   */
  quotaUsedToday: number;
  /**
   * JS-SDK ticket requests (WeChat `/cgi-bin/ticket/getticket`, WeCom
   * `/cgi-bin/get_jsapi_ticket` and `/cgi-bin/ticket/get`, Qingtui
   * `/js/ticket/get`), faulted ones included; also business calls, so they
   * count in {@link apiCalls}, {@link apiRejected} and {@link invalidTokenCalls}
   * too. Requests naming no known kind (a bad `type`) count here and in no kind.
   */
  ticketCalls: number;
  /** New tickets issued: the sum of the kinds' `grants` (a repeated answer of the current ticket is none). */
  ticketGrants: number;
  /** Ticket calls and new tickets by kind: `jsapi`, `wx_card`, `agent_config`. */
  ticketsByKind: Record<TicketKind, TicketKindCounters>;
}

/**
 * Counters of the sandbox. `apps` holds every configured app of every
 * platform, by app key (Qingtui and WeChat: the appId; WeCom:
 * `"<corpId>/<agentId>"`). A call that cannot be tied to an app (unknown
 * appid, wrong secret on WeCom, unknown refresh_token, missing or forged
 * access_token) counts in its platform's total and in `total` only, so totals
 * may exceed the sum of the apps. Unknown paths and the control API are never
 * counted.
 */
export interface SandboxCounters {
  total: AppCounters;
  platforms: Record<SandboxPlatform, AppCounters>;
  apps: Record<string, AppCounters>;
}

/** The plain numeric counters that are bumped by one. */
export type CountedEvent =
  | 'tokenCalls'
  | 'tokenGrants'
  | 'refreshCalls'
  | 'refreshGrants'
  | 'stableCalls'
  | 'stableGrants'
  | 'apiCalls'
  | 'invalidTokenCalls'
  | 'deliveries'
  | 'drops'
  | 'quotaResetCalls'
  | 'quotaResets'
  | 'ticketCalls'
  | 'ticketGrants';

/** The counters of rejections by errcode. */
export type RejectionKind =
  'tokenRejected' | 'refreshRejected' | 'stableRejected' | 'apiRejected' | 'quotaResetRejected';

const GRANT_KINDS: readonly GrantKind[] = ['credentials', 'refresh', 'stable', 'force'];
const REJECTION_KINDS: readonly RejectionKind[] = [
  'tokenRejected',
  'refreshRejected',
  'stableRejected',
  'apiRejected',
  'quotaResetRejected',
];
const PLATFORMS: readonly SandboxPlatform[] = ['qingtui', 'wechat-mp', 'wecom'];

type Tally = Record<CountedEvent, number> &
  Record<RejectionKind, Map<number, number>> & {
    grantsByKind: Record<GrantKind, number>;
    ticketsByKind: Record<TicketKind, TicketKindCounters>;
  };

/** One platform's handle on the counters: what its emulation bumps. */
export interface PlatformCounters {
  /** Counts one event for the app (when known), its platform and the total. */
  bump(appKey: string | undefined, event: CountedEvent): void;
  /** Counts a rejection by errcode. */
  reject(appKey: string | undefined, kind: RejectionKind, errcode: number): void;
  /** Counts a new access token issued to the app. */
  grant(appKey: string, kind: GrantKind): void;
  /**
   * Counts a ticket request (`calls`) or a new ticket (`grants`), of a kind
   * or, for a request naming none, in the sums only.
   */
  ticket(appKey: string | undefined, kind: TicketKind | undefined, event: 'calls' | 'grants'): void;
}

/** Mutable counters behind {@link SandboxCounters}. */
export class CounterBook {
  private total = newTally();
  private readonly platforms = new Map<SandboxPlatform, Tally>();
  private readonly apps = new Map<string, Tally>();

  /** @param appPlatforms every app key with its platform, in the order counters list them */
  constructor(private readonly appPlatforms: ReadonlyMap<string, SandboxPlatform>) {
    this.reset();
  }

  /** The handle one platform's emulation counts with. */
  forPlatform(platform: SandboxPlatform): PlatformCounters {
    const tallies = (appKey: string | undefined): Tally[] => {
      const app = appKey === undefined ? undefined : this.apps.get(appKey);
      const list = [this.total, this.platforms.get(platform) as Tally];
      return app === undefined || this.appPlatforms.get(appKey as string) !== platform
        ? list
        : [...list, app];
    };
    return {
      bump: (appKey, event) => {
        for (const tally of tallies(appKey)) tally[event]++;
      },
      reject: (appKey, kind, errcode) => {
        for (const tally of tallies(appKey)) increment(tally[kind], errcode);
      },
      grant: (appKey, kind) => {
        for (const tally of tallies(appKey)) tally.grantsByKind[kind]++;
      },
      ticket: (appKey, kind, event) => {
        for (const tally of tallies(appKey)) {
          tally[event === 'calls' ? 'ticketCalls' : 'ticketGrants']++;
          if (kind !== undefined) tally.ticketsByKind[kind][event]++;
        }
      },
    };
  }

  /** A copy of the counters; `quotaUsed` supplies each app's quota use today. */
  snapshot(quotaUsed: (appKey: string) => number): SandboxCounters {
    const apps: Record<string, AppCounters> = {};
    const platformQuota = new Map<SandboxPlatform, number>();
    let totalQuota = 0;
    for (const [appKey, tally] of this.apps) {
      const used = quotaUsed(appKey);
      const platform = this.appPlatforms.get(appKey) as SandboxPlatform;
      platformQuota.set(platform, (platformQuota.get(platform) ?? 0) + used);
      totalQuota += used;
      apps[appKey] = view(tally, used);
    }
    const platforms = Object.fromEntries(
      PLATFORMS.map((p) => [p, view(this.platforms.get(p) as Tally, platformQuota.get(p) ?? 0)]),
    ) as Record<SandboxPlatform, AppCounters>;
    return { total: view(this.total, totalQuota), platforms, apps };
  }

  reset(): void {
    this.total = newTally();
    this.platforms.clear();
    for (const platform of PLATFORMS) this.platforms.set(platform, newTally());
    this.apps.clear();
    for (const appKey of this.appPlatforms.keys()) this.apps.set(appKey, newTally());
  }
}

function newTally(): Tally {
  return {
    tokenCalls: 0,
    tokenGrants: 0,
    refreshCalls: 0,
    refreshGrants: 0,
    stableCalls: 0,
    stableGrants: 0,
    apiCalls: 0,
    invalidTokenCalls: 0,
    deliveries: 0,
    drops: 0,
    quotaResetCalls: 0,
    quotaResets: 0,
    ticketCalls: 0,
    ticketGrants: 0,
    tokenRejected: new Map(),
    refreshRejected: new Map(),
    stableRejected: new Map(),
    apiRejected: new Map(),
    quotaResetRejected: new Map(),
    grantsByKind: { credentials: 0, refresh: 0, stable: 0, force: 0 },
    ticketsByKind: Object.fromEntries(
      TICKET_KINDS.map((kind) => [kind, { calls: 0, grants: 0 }]),
    ) as Record<TicketKind, TicketKindCounters>,
  };
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function view(tally: Tally, quotaUsedToday: number): AppCounters {
  const rejected = Object.fromEntries(
    REJECTION_KINDS.map((kind) => [kind, Object.fromEntries(tally[kind])]),
  ) as Record<RejectionKind, Record<number, number>>;
  return {
    tokenCalls: tally.tokenCalls,
    tokenGrants: tally.tokenGrants,
    tokenRejected: rejected.tokenRejected,
    refreshCalls: tally.refreshCalls,
    refreshGrants: tally.refreshGrants,
    refreshRejected: rejected.refreshRejected,
    stableCalls: tally.stableCalls,
    stableGrants: tally.stableGrants,
    stableRejected: rejected.stableRejected,
    grants: GRANT_KINDS.reduce((sum, kind) => sum + tally.grantsByKind[kind], 0),
    grantsByKind: { ...tally.grantsByKind },
    apiCalls: tally.apiCalls,
    apiRejected: rejected.apiRejected,
    invalidTokenCalls: tally.invalidTokenCalls,
    deliveries: tally.deliveries,
    drops: tally.drops,
    quotaResetCalls: tally.quotaResetCalls,
    quotaResets: tally.quotaResets,
    quotaResetRejected: rejected.quotaResetRejected,
    quotaUsedToday,
    ticketCalls: tally.ticketCalls,
    ticketGrants: tally.ticketGrants,
    ticketsByKind: Object.fromEntries(
      TICKET_KINDS.map((kind) => [kind, { ...tally.ticketsByKind[kind] }]),
    ) as Record<TicketKind, TicketKindCounters>,
  };
}
