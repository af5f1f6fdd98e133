import type { TokenRecord } from '../core/credential-record.js';
import type { ProbeVerdict, RenewalReason } from '../core/credential-source.js';
import type { ResolvedApp } from '../core/resolved-options.js';
import type { CredentialKeys } from '../core/store-keys.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { messages } from '../qingtui.messages.js';
import { type Hold, holdAfter, type HoldReason } from './renewal-hold.js';
import { RejectionCheck } from './rejection-check.js';
import type { TimerEntry } from './renewal-timers.js';
import type { TokenTimingPolicy } from './token-timing.policy.js';

/** The last failure of an app's renewals, as status pages show it (no secret). */
export interface LastError {
  kind: string;
  errcode?: number;
  errmsg: string;
  at: string;
}

/**
 * State of one credential of one app, owned by its engine. `record` is the in-process layer
 * that keeps hot reads off the store. A plain state holder: no behaviour, no callbacks.
 */
export interface AppSlot extends TimerEntry {
  readonly app: ResolvedApp;
  readonly keys: CredentialKeys;
  /** When its value is renewed and handed out, from its kind's semantics. */
  readonly timing: TokenTimingPolicy;
  record?: TokenRecord;
  /** Epoch ms until which `record` is handed out without any check. */
  serveUntil: number;
  inflight?: Promise<TokenRecord>;
  /** Why and since when the current (or last) renewal runs: told to the events. */
  renewal?: {
    reason: RenewalReason;
    startedAt: number;
    /** A scheduled renewal's: aborted when a caller joins it (`RenewalRunner.hurry`). */
    hurry?: AbortController;
  };
  failures: number;
  /** Reads that had to wait for a renewal (cold start, or no valid value known). */
  waits: number;
  lastError?: LastError;
  /** When its renewal is due (written by the kind's `RenewalTimers` only). */
  nextRenewalAt?: number;
  /** Its place in the renewal queue (`RenewalTimers`); -1 when nothing is scheduled. */
  timerIndex: number;
  /** No platform call before this instant (circuit, credential back-off, quota). */
  holdUntil: number;
  holdReason?: HoldReason;
  credentialFailures: number;
  /** What the last failure was, so that a state is logged once, not at every attempt. */
  failureState?: string;
  /** When reports of its current value are checked with a probe (keyed by value). */
  readonly rejections: RejectionCheck;
  probing?: Promise<ProbeVerdict | 'skipped'>;
  /** The error of the last failed renewal, repeated to callers while calls are held back. */
  lastFailure?: QingtuiApiError;
  /** When a renewal was last started on a rejection the platform itself reported. */
  lastRejectionRenewalAt: number;
  /** The last value whose reported rejection the quota's reserve left unchecked (logged once). */
  uncheckedToken?: string;
  /**
   * Fetched in a burst (a start-up prefetch of more apps than fetched at once): the renewal of
   * the next value adopted is spread (`TokenTimingPolicy.spreadRenewAt`).
   */
  spreadNextRenewal?: boolean;
  /** Waiting for its turn in the start-up prefetch (not started yet). */
  queuedForPrefetch?: boolean;
}

export function createAppSlot(
  app: ResolvedApp,
  keys: CredentialKeys,
  timing: TokenTimingPolicy,
  probeTtlMs: number,
): AppSlot {
  // Every field written here, the optional ones too: V8 then keeps them all inside the object,
  // where fields added later would each grow a separate property array (per app, per kind).
  return {
    app,
    keys,
    timing,
    record: undefined,
    serveUntil: 0,
    inflight: undefined,
    renewal: undefined,
    failures: 0,
    waits: 0,
    lastError: undefined,
    nextRenewalAt: undefined,
    timerIndex: -1,
    holdUntil: 0,
    holdReason: undefined,
    credentialFailures: 0,
    failureState: undefined,
    rejections: new RejectionCheck(probeTtlMs),
    probing: undefined,
    lastFailure: undefined,
    lastRejectionRenewalAt: 0,
    uncheckedToken: undefined,
    spreadNextRenewal: undefined,
    queuedForPrefetch: undefined,
  };
}

/** Orders records: generation, then issue time, then the value itself (any total order will do). */
export function compareRecords(a: TokenRecord, b: TokenRecord): number {
  if (a.generation !== b.generation) return a.generation - b.generation;
  if (a.issuedAt !== b.issuedAt) return a.issuedAt - b.issuedAt;
  return a.accessToken < b.accessToken ? -1 : a.accessToken > b.accessToken ? 1 : 0;
}

/** The more recent of two records. */
export function newest(
  a: TokenRecord | undefined,
  b: TokenRecord | undefined,
): TokenRecord | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareRecords(a, b) >= 0 ? a : b;
}

/** Resolves once no renewal of the slot is in flight. */
export async function idle(slot: { inflight?: Promise<unknown> }): Promise<void> {
  while (slot.inflight) await slot.inflight.catch(() => undefined);
}

/** What a failed renewal did to the slot's state. */
export interface FailureNote {
  hold: Hold;
  /** Ms left of the value held when it failed (0: none). */
  leftMs: number;
  /** The failure differs from the last one (kind, errcode, whether a value lives): log it. */
  changed: boolean;
}

/**
 * Records a failed renewal in the slot: counts, the error shown to status pages and repeated to
 * held-back callers, and the hold (`holdAfter`). The caller schedules the next attempt.
 */
export function noteFailure(
  slot: AppSlot,
  error: unknown,
  now: number,
  platformMinHoldMs?: number,
): FailureNote {
  const e = error instanceof QingtuiApiError ? error : undefined;
  slot.failures += 1;
  if (e?.kind === 'credential') slot.credentialFailures += 1;
  slot.lastFailure = e;
  slot.lastError = {
    kind: e?.kind ?? 'internal',
    errcode: e?.errcode,
    errmsg: e?.errmsg ?? (error instanceof Error ? error.message : String(error)),
    at: new Date(now).toISOString(),
  };
  const leftMs = slot.record ? slot.record.expiresAt - now : 0;
  const hold = holdAfter(error, { ...slot, platformMinHoldMs }, now);
  slot.holdUntil = now + hold.delayMs;
  slot.holdReason = hold.reason;
  const state = `${slot.lastError.kind}:${slot.lastError.errcode ?? ''}:${leftMs > 0}`;
  const changed = state !== slot.failureState;
  slot.failureState = state;
  return { hold, leftMs, changed };
}

/** Records a successful renewal: clears the failure state and lifts any hold. */
export function noteSuccess(slot: AppSlot): void {
  slot.failures = 0;
  slot.credentialFailures = 0;
  slot.failureState = undefined;
  slot.lastError = undefined;
  slot.lastFailure = undefined;
  liftHold(slot);
}

export function liftHold(slot: AppSlot): void {
  slot.holdUntil = 0;
  slot.holdReason = undefined;
}

/** The last failure again, with when to come back: nothing was sent. */
export function heldBackError(slot: AppSlot, now: number, label: string): QingtuiApiError {
  const last = slot.lastFailure;
  return QingtuiApiError.heldBack({
    kind: last?.kind ?? 'transient',
    errcode: last?.errcode,
    errmsg: last?.errmsg ?? messages.heldBack(slot.app.name, slot.holdReason ?? 'failure'),
    endpoint: last?.endpoint ?? 'token',
    status: last?.status,
    retryAfterMs: Math.max(1_000, slot.holdUntil - now),
    platform: last?.platform ?? label,
  });
}

/**
 * Makes `record` the one handed out (never stepping back to an older one while the newer is
 * still usable, unless it comes from the store, which is the truth). Returns when to renew it,
 * or undefined when nothing changed.
 */
export function adoptRecord(
  slot: AppSlot,
  record: TokenRecord,
  fromStore: boolean,
): number | undefined {
  const previous = slot.record;
  const timing = slot.timing;
  if (
    !fromStore &&
    previous &&
    previous !== record &&
    newest(previous, record) === previous &&
    timing.usable(previous)
  ) {
    return undefined;
  }
  if (
    previous?.accessToken === record.accessToken &&
    previous.expiresAt === record.expiresAt &&
    previous.renewNotBefore === record.renewNotBefore
  ) {
    slot.record = record;
    return undefined;
  }
  slot.record = record;
  slot.serveUntil = timing.serveUntil(record);
  if (timing.usable(record)) liftHold(slot);
  if (slot.spreadNextRenewal) {
    slot.spreadNextRenewal = false;
    return timing.spreadRenewAt(record);
  }
  return timing.renewAt(record) + timing.jitter(record);
}
