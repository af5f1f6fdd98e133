import type { TokenRecord } from '../core/credential-record.js';
import type { ResolvedApp } from '../core/resolved-options.js';
import type { PlatformUsageSnapshot } from '../quotas/platform-usage.js';
import type { AppSlot, LastError } from './app-slot.js';
import type { HoldReason } from './renewal-hold.js';
import type { TokenTimingPolicy } from './token-timing.policy.js';

/** A token and when it stops being accepted. */
export interface TokenInfo {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /**
   * Until when (epoch ms) a holder that caches the token may use it: the next planned renewal,
   * never later than the point where the token stops being handed out. A renewal may kill the
   * previous token after a short overlap (Qingtui, WeChat's classic token), so a cache kept for
   * `expiresAt` would call with a dead token; one kept until this instant never does.
   */
  useUntil: number;
}

/** Token state of one app, for health checks and dashboards. Holds no secret. */
export interface AppTokenStatus {
  name: string;
  /** The app's platform: `qingtui`, `wechat-mp`, `wecom`. */
  platform: string;
  /** Its public id on the platform: the AppID, or WeCom's `corpId/agentId`. */
  appId: string;
  state: 'valid' | 'expired' | 'missing';
  /** When the current token was obtained (ISO 8601). */
  issuedAt?: string;
  expiresAt?: string;
  nextRenewalAt?: string;
  generation?: number;
  origin?: string;
  renewing: boolean;
  consecutiveFailures: number;
  /** `getToken` calls that had to wait for the platform since start-up. */
  callersWaited: number;
  lastError?: LastError;
  /**
   * Set while platform calls for this app are held back: after a failed renewal (`failure`),
   * refused credentials (`credentials`, backing off up to an hour) or a used-up daily quota
   * (`quota`, until the next Beijing day). Callers get the valid token, or a fast error.
   */
  heldBack?: { reason: HoldReason; until: string };
  /** Today's platform calls and where they stand against the daily quota. */
  platformCallsToday: PlatformUsageSnapshot;
}

export function infoOf(record: TokenRecord, timing: TokenTimingPolicy): TokenInfo {
  return {
    accessToken: record.accessToken,
    expiresAt: record.expiresAt,
    useUntil: Math.min(timing.serveUntil(record), timing.renewAt(record)),
  };
}

const iso = (at: number | undefined) => (at ? new Date(at).toISOString() : undefined);

/** What a status reads of a slot. */
export type SlotState = Pick<
  AppSlot,
  | 'app'
  | 'record'
  | 'nextRenewalAt'
  | 'inflight'
  | 'failures'
  | 'waits'
  | 'lastError'
  | 'holdReason'
  | 'holdUntil'
>;

/** The state of an app whose credential of this kind was never asked for (it has no slot yet). */
export function unused(app: ResolvedApp): SlotState {
  return { app, failures: 0, waits: 0, holdUntil: 0 };
}

/** What a status page shows of one slot at `now` (pure). */
export function statusOf(
  slot: SlotState,
  usage: PlatformUsageSnapshot,
  now: number,
): AppTokenStatus {
  const r = slot.record;
  return {
    name: slot.app.name,
    platform: slot.app.platform,
    appId: slot.app.appId,
    state: r === undefined ? 'missing' : now < r.expiresAt ? 'valid' : 'expired',
    issuedAt: iso(r?.issuedAt),
    expiresAt: iso(r?.expiresAt),
    nextRenewalAt: iso(slot.nextRenewalAt),
    generation: r?.generation,
    origin: r?.origin,
    renewing: slot.inflight !== undefined,
    consecutiveFailures: slot.failures,
    callersWaited: slot.waits,
    lastError: slot.lastError,
    heldBack:
      slot.holdReason && now < slot.holdUntil
        ? { reason: slot.holdReason, until: new Date(slot.holdUntil).toISOString() }
        : undefined,
    platformCallsToday: usage,
  };
}
