import { createHash, randomUUID } from 'node:crypto';
import type { SharedValueStore } from '../core/shared-values.js';
import { tokenKey } from '../core/store-keys.js';
import { QingtuiIdempotencyError } from './idempotency.error.js';

/** How long a key is remembered: the IETF draft and Stripe keep them 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a duplicate waits for the first send with the same key (on another instance) before it
 * is answered 409. Longer than one platform call with its token renewal.
 */
export const IDEMPOTENCY_WAIT_MS = 15_000;

/**
 * A send still marked in progress after this long was cut short (its instance stopped): its
 * outcome is unknown.
 */
export const IDEMPOTENCY_PENDING_STALE_MS = 120_000;

/** Longest `Idempotency-Key`, in characters (Stripe: 255). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const POLL_MS = 100;

/** What became of a send, as the ledger records it. */
export type SendFailure =
  /** Nothing reached the platform, or the platform refused it before acting: the key is released. */
  | 'not-sent'
  /** The request left and no answer came: it may have been acted on. Recorded, never re-sent blindly. */
  | 'unknown';

/** One send under an idempotency key. */
export interface IdempotentSend<T> {
  /** Keys of different scopes (apps) never meet. */
  scope: string;
  /** The client's key (validated with `checkIdempotencyKey`). */
  key: string;
  /** Digest of what is sent: the same key with another fingerprint is refused (422). */
  fingerprint: string;
  /**
   * Sends. `resend` is true when a previous send under this key had an unknown outcome and the
   * platform's own de-duplication makes sending again safe (see `resendSafeForMs`).
   */
  send: (resend: boolean) => Promise<T>;
  /** Classifies an error `send` threw. */
  classify: (error: unknown) => SendFailure;
  /**
   * After an unknown outcome, how long sending again under this key is harmless because the
   * platform itself drops a repeat (WeCom's duplicate check, WeChat's `client_msg_id`,
   * `clientmsgid`). 0 (the default): an unknown outcome is answered as unknown, never re-sent.
   */
  resendSafeForMs?: number;
}

/** What the ledger answers. */
export interface IdempotentResult<T> {
  value: T;
  /** True when this is the stored answer of an earlier send (nothing was sent now). */
  replayed: boolean;
}

interface LedgerEntry<T> {
  v: 1;
  state: 'pending' | 'done' | 'unknown';
  fp: string;
  owner: string;
  /** When the entry took this state (ms). */
  at: number;
  /** When the first send under this key started (ms): the platform's de-duplication counts from it. */
  firstAt: number;
  value?: T;
}

/** Checks a client's `Idempotency-Key`: 1 to 255 visible ASCII characters. */
export function idempotencyKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'is empty';
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    return `is ${key.length} characters long; at most ${IDEMPOTENCY_KEY_MAX_LENGTH}`;
  }
  if (!/^[\x21-\x7e]+$/.test(key)) return 'may hold visible ASCII characters only (0x21-0x7e)';
  return undefined;
}

/** SHA-256 of a value's canonical JSON (object keys sorted): equal bodies, equal fingerprints. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Exactly-once sends under a client's idempotency key, across instances (the IETF httpapi
 * Idempotency-Key draft's semantics, as Stripe applies them):
 * - the first request with a key claims it in the shared store (atomically) and sends;
 * - the same key and body again, within 24 h, gets the first answer and sends nothing;
 * - the same key with another body is refused (`KEY_REUSED`, 422);
 * - a duplicate arriving while the first is in flight waits for its answer (joining it at once on
 *   the same instance) or, past `IDEMPOTENCY_WAIT_MS`, is refused (`IN_PROGRESS`, 409);
 * - a send whose outcome is unknown (no answer after the request left) is recorded so: retries
 *   get `OUTCOME_UNKNOWN` and nothing is sent again, unless the platform's own de-duplication
 *   makes a re-send harmless (`resendSafeForMs`);
 * - a send that surely did not happen (refused before or by the platform) releases the key.
 * The records live in the store's `SharedValueStore` (Redis when configured): they survive a
 * restart and are shared by instances; an unreachable store refuses the send (`QingtuiStoreError`).
 */
export class IdempotencyLedger {
  private readonly inFlight = new Map<string, Promise<IdempotentResult<unknown>>>();

  constructor(
    private readonly values: SharedValueStore,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async run<T>(send: IdempotentSend<T>): Promise<IdempotentResult<T>> {
    const problem = idempotencyKeyProblem(send.key);
    if (problem !== undefined) throw QingtuiIdempotencyError.badKey(problem);
    const storeKey = this.storeKey(send.scope, send.key);
    const joined = this.inFlight.get(storeKey) as Promise<IdempotentResult<T>> | undefined;
    if (joined !== undefined) {
      const result = await joined.catch(() => undefined);
      // Joined the first: its answer is a replay for this request, if it was for the same body.
      return this.settled(send, storeKey, result === undefined ? undefined : result.value);
    }
    const run = this.claimAndSend(send, storeKey);
    this.inFlight.set(storeKey, run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(storeKey);
    }
  }

  private async claimAndSend<T>(
    send: IdempotentSend<T>,
    storeKey: string,
  ): Promise<IdempotentResult<T>> {
    const now = this.now();
    const mine: LedgerEntry<T> = {
      v: 1,
      state: 'pending',
      fp: send.fingerprint,
      owner: randomUUID(),
      at: now,
      firstAt: now,
    };
    const claimed = JSON.stringify(mine);
    const existing = await this.values.putIfAbsent(storeKey, claimed, IDEMPOTENCY_TTL_MS);
    if (existing === undefined) return this.sendAs(send, storeKey, mine, claimed, false);
    return this.follow(send, storeKey, existing);
  }

  /** Another request holds or held the key: its answer, or a refusal. */
  private async follow<T>(
    send: IdempotentSend<T>,
    storeKey: string,
    raw: string,
  ): Promise<IdempotentResult<T>> {
    const deadline = this.now() + IDEMPOTENCY_WAIT_MS;
    let current: string | undefined = raw;
    for (;;) {
      if (current === undefined) {
        // Released meanwhile (the first send did not happen): this request may claim it.
        return this.claimAndSend(send, storeKey);
      }
      const entry = parseEntry<T>(current);
      if (entry === undefined) throw QingtuiIdempotencyError.corrupt();
      if (entry.fp !== send.fingerprint) throw QingtuiIdempotencyError.keyReused();
      if (entry.state === 'done') return { value: entry.value as T, replayed: true };
      const stale =
        entry.state === 'pending' && this.now() - entry.at > IDEMPOTENCY_PENDING_STALE_MS;
      if (entry.state === 'unknown' || stale)
        return this.afterUnknown(send, storeKey, entry, current);
      if (this.now() >= deadline) throw QingtuiIdempotencyError.inProgress();
      await this.sleep(POLL_MS);
      current = await this.values.get(storeKey);
    }
  }

  /** A send under this key had an unknown outcome: send again only if the platform de-duplicates. */
  private async afterUnknown<T>(
    send: IdempotentSend<T>,
    storeKey: string,
    entry: LedgerEntry<T>,
    raw: string,
  ): Promise<IdempotentResult<T>> {
    const safeFor = send.resendSafeForMs ?? 0;
    if (safeFor <= 0 || this.now() - entry.firstAt >= safeFor)
      throw QingtuiIdempotencyError.unknown();
    const mine: LedgerEntry<T> = {
      ...entry,
      state: 'pending',
      owner: randomUUID(),
      at: this.now(),
      value: undefined,
    };
    const claimed = JSON.stringify(mine);
    if (!(await this.values.compareAndSet(storeKey, raw, claimed, IDEMPOTENCY_TTL_MS))) {
      // Another request took it first: follow that one.
      return this.follow(send, storeKey, (await this.values.get(storeKey)) ?? raw);
    }
    return this.sendAs(send, storeKey, mine, claimed, true);
  }

  private async sendAs<T>(
    send: IdempotentSend<T>,
    storeKey: string,
    mine: LedgerEntry<T>,
    claimed: string,
    resend: boolean,
  ): Promise<IdempotentResult<T>> {
    let value: T;
    try {
      value = await send.send(resend);
    } catch (error) {
      if (send.classify(error) === 'not-sent' && !resend) {
        await this.values.compareAndDelete(storeKey, claimed).catch(() => undefined);
      } else {
        const unknown: LedgerEntry<T> = { ...mine, state: 'unknown', at: this.now() };
        await this.values
          .compareAndSet(storeKey, claimed, JSON.stringify(unknown), IDEMPOTENCY_TTL_MS)
          .catch(() => undefined);
      }
      throw error;
    }
    const done: LedgerEntry<T> = { ...mine, state: 'done', at: this.now(), value };
    // If this cannot be recorded, the entry stays pending and turns unknown once stale: never
    // a second send.
    await this.values
      .compareAndSet(storeKey, claimed, JSON.stringify(done), IDEMPOTENCY_TTL_MS)
      .catch(() => undefined);
    return { value, replayed: false };
  }

  /** A request that joined an in-flight send on this instance. */
  private async settled<T>(
    send: IdempotentSend<T>,
    storeKey: string,
    value: T | undefined,
  ): Promise<IdempotentResult<T>> {
    const raw = await this.values.get(storeKey);
    if (raw === undefined) {
      if (value === undefined) return this.run(send); // the first did not happen: try now
      throw QingtuiIdempotencyError.corrupt();
    }
    return this.follow(send, storeKey, raw);
  }

  /** The store key of a client key: its digest, so that no client text ever lands in a key. */
  private storeKey(scope: string, key: string): string {
    const digest = createHash('sha256').update(key).digest('base64url');
    return tokenKey(this.keyPrefix, 'idempotency', scope, `idempotency:${digest}`);
  }
}

function parseEntry<T>(raw: string): LedgerEntry<T> | undefined {
  try {
    const entry = JSON.parse(raw) as LedgerEntry<T>;
    if (entry?.v !== 1 || typeof entry.fp !== 'string' || typeof entry.state !== 'string') {
      return undefined;
    }
    return entry;
  } catch {
    return undefined;
  }
}
