import type { Logger } from '@nestjs/common';
import type { CredentialKind } from '../core/credential-kind.js';
import type { TokenGrant, TokenRecord } from '../core/credential-record.js';
import type { RenewalReason } from '../core/credential-source.js';
import type { ResolvedApp, ResolvedQingtuiOptions } from '../core/resolved-options.js';
import type { FailoverWait, TokenBackend, TokenLease } from '../core/store.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { messages } from '../qingtui.messages.js';
import { ForceRefreshBudget } from '../quotas/force-refresh.budget.js';
import type { PlatformUsage } from '../quotas/platform-usage.js';
import { type AppSlot, newest } from './app-slot.js';

/**
 * How long into a store outage a renewal that a caller waits for still waits for the store to
 * come back (a quick Sentinel or Cluster failover takes a few seconds) rather than renewing on
 * this instance alone, as every instance then would (one platform grant each). Not longer: the
 * caller (a rejected token's report, a read of an expired value) waits as long.
 */
export const FAILOVER_GRACE_MS = 5_000;

/**
 * The same for a scheduled renewal, which nobody waits for (the value it replaces is still
 * served): a default-configured Sentinel (`down-after-milliseconds` 30 s) fails over in 30-40 s,
 * a Cluster (`cluster-node-timeout` 15 s) in 15-20 s. A caller that joins it meanwhile hurries
 * it back to `FAILOVER_GRACE_MS`.
 */
export const SCHEDULED_FAILOVER_GRACE_MS = 60_000;

/**
 * How long a renewal asked for while the store is unreachable waits for it: while the outage is
 * younger than its grace (`SCHEDULED_FAILOVER_GRACE_MS` for a scheduled renewal, until `hurry`
 * aborts; else `FAILOVER_GRACE_MS`), and never more than half the life left of the value held,
 * so that the renewal still comes in time if the store does not. Without a value held, no wait.
 */
export function failoverWait(
  record: Pick<TokenRecord, 'expiresAt'> | undefined,
  now: number,
  reason: RenewalReason,
  hurry?: AbortSignal,
): FailoverWait | undefined {
  if (record === undefined) return undefined;
  const atMostMs = Math.max(0, (record.expiresAt - now) / 2);
  if (reason !== 'scheduled') return { graceMs: FAILOVER_GRACE_MS, atMostMs };
  return {
    graceMs: SCHEDULED_FAILOVER_GRACE_MS,
    atMostMs,
    ...(hurry && { hurry: { signal: hurry, graceMs: FAILOVER_GRACE_MS } }),
  };
}

/** What `acquire` found: a record that already answers the renewal, or the lock. */
export type LockAttempt =
  | { satisfied: TokenRecord }
  | {
      lease: TokenLease;
      /** The stored record when the lock was taken (its generation fences the write). */
      stored?: TokenRecord;
      /** The newest record known (stored or in process): the renewal replaces it. */
      base?: TokenRecord;
      lockWaitMs: number;
    };

/** What a renewal under the lock brought. */
export interface RenewalOutcome {
  record: TokenRecord;
  /** The platform answered the value it already had: nothing was granted. */
  same: boolean;
  /** False when a newer record got there first (the lease had lapsed): `newer` is that one. */
  written: boolean;
  newer?: TokenRecord;
}

export interface LockedRenewalDeps {
  kind: CredentialKind;
  backend: TokenBackend;
  usage: PlatformUsage;
  options: Pick<ResolvedQingtuiOptions, 'httpTimeoutMs' | 'keyPrefix'>;
  logger: Logger;
  now: () => number;
}

/**
 * A renewal under the store's lock, in two steps that return results (the engine adopts what
 * they bring): `acquire` takes the lock or finds a record that already answers; `complete`
 * passes the quota gates, fetches (healing the parent credential once if it was rejected) and
 * writes the record fenced by the generation it read.
 */
export class LockedRenewal {
  /**
   * The lease covers one HTTP call and the wait for a token-call slot; a live holder extends it
   * (the Redis backend runs a watchdog), so a dead one blocks the others only this long.
   */
  private readonly leaseMs: number;
  private readonly forceBudget: ForceRefreshBudget;

  constructor(private readonly deps: LockedRenewalDeps) {
    this.leaseMs = deps.options.httpTimeoutMs + 3_000;
    this.forceBudget = new ForceRefreshBudget(deps.backend, deps.options.keyPrefix);
  }

  async acquire(slot: AppSlot, reason: RenewalReason, staleToken?: string): Promise<LockAttempt> {
    const { backend, now } = this.deps;
    const leaseMs = this.leaseMs;
    const startedAt = now();
    // Beyond one lease, a renewal waits one HTTP time-out for another instance's.
    const waitUntil = startedAt + leaseMs + this.deps.options.httpTimeoutMs;
    for (;;) {
      const lease = await backend.tryLock(
        slot.keys.lock,
        leaseMs,
        failoverWait(slot.record, now(), reason, slot.renewal?.hurry?.signal),
      );
      const stored = await backend.read(slot.keys.record);
      const base = newest(stored, slot.record);
      if (base && satisfies(slot, base, reason, now(), staleToken)) {
        await lease?.release();
        return { satisfied: base };
      }
      if (lease) return { lease, stored, base, lockWaitMs: now() - startedAt };
      if (now() >= waitUntil) {
        throw QingtuiApiError.heldBack({
          kind: 'transient',
          errmsg: messages.lockWaitTimedOut(slot.app.name),
          endpoint: 'lock',
          platform: this.deps.kind.labelOf(slot.app),
        });
      }
      // Another instance is renewing: wait for its write (or its lease to lapse), then re-read.
      await backend.waitForChange(slot.keys.record, 250);
    }
  }

  /** Runs the renewal under `held` (whose lease the caller releases). */
  async complete(
    slot: AppSlot,
    held: { stored?: TokenRecord; base?: TokenRecord },
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<RenewalOutcome> {
    const { backend, usage, kind } = this.deps;
    const { app } = slot;
    // Another instance may have just been told that the day's quota is used up: ask the store
    // (two counter reads, once per renewal) rather than the platform.
    await usage.sync(app.name);
    if (reason === 'force') {
      const { used, limit } = await this.forceBudget.take(app, kind.labelOf(app));
      this.deps.logger.warn(messages.forceRefreshing(app.name, used, limit));
    } else {
      this.checkQuota(app, reason);
    }
    const base = held.base;
    const grant = await this.fetch(app, base, reason, staleToken).catch(async (error: unknown) => {
      // Shared before the lease is released, so that the next holder does not ask again.
      // (A forced refresh's own budget answers 45009 too: that says nothing of the day.)
      if (
        reason !== 'force' &&
        error instanceof QingtuiApiError &&
        error.kind === 'quota' &&
        error.errcode !== undefined
      ) {
        await usage.markExhausted(app.name);
      }
      throw error;
    });
    const same = base !== undefined && grant.accessToken === base.accessToken;
    const record: TokenRecord = {
      ...(same ? slot.timing.sameToken(base, grant) : grant),
      generation: (base?.generation ?? 0) + 1,
    };
    const written = await backend.write(slot.keys.record, record, held.stored?.generation);
    const newer = written ? undefined : await backend.read(slot.keys.record);
    return { record, same, written, newer };
  }

  /** The kind's source, with its parent credential's current value; a rejected parent healed once. */
  private async fetch(
    app: ResolvedApp,
    base: TokenRecord | undefined,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenGrant> {
    const { source, parent } = this.deps.kind;
    if (parent === undefined) return source.renew(app, base, reason, staleToken);
    const value = await parent.current(app.name);
    try {
      return await source.renew(app, base, reason, staleToken, value);
    } catch (error) {
      if (!(error instanceof QingtuiApiError && error.kind === 'token-invalid')) throw error;
      const healed = await parent.rejected(app.name, value);
      return source.renew(app, base, reason, staleToken, healed);
    }
  }

  /** Throws when the daily quota forbids a renewal for this reason. */
  private checkQuota(app: ResolvedApp, reason: RenewalReason): void {
    const { usage, kind } = this.deps;
    // A passive refresh is demand; every other renewal keeps the service alive.
    const purpose = reason === 'stale' ? 'demand' : 'renewal';
    if (usage.allows(app.name, purpose, kind.callKind)) return;
    const state = usage.get(app.name);
    throw QingtuiApiError.heldBack({
      kind: 'quota',
      errmsg: messages.quotaHeldBack(state.state, state.total, state.limit),
      endpoint: 'quota',
      retryAfterMs: usage.msUntilReset(),
      platform: kind.labelOf(app),
    });
  }
}

/** Whether `record` already answers this renewal, so that no platform call is needed. */
export function satisfies(
  slot: Pick<AppSlot, 'timing'>,
  record: TokenRecord,
  reason: RenewalReason,
  now: number,
  staleToken?: string,
): boolean {
  if (reason === 'force' || !slot.timing.usable(record)) return false;
  switch (reason) {
    case 'scheduled':
      return now < slot.timing.renewAt(record);
    case 'stale':
      return record.accessToken !== staleToken;
    default:
      return true;
  }
}
