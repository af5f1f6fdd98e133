import { describe, expect, it } from 'vitest';
import { MemorySharedValues } from '../store/memory-shared-values.js';
import {
  fingerprintOf,
  IDEMPOTENCY_PENDING_STALE_MS,
  IDEMPOTENCY_TTL_MS,
  IDEMPOTENCY_WAIT_MS,
  IdempotencyLedger,
  type IdempotentSend,
  type SendFailure,
} from './idempotency-ledger.js';
import { QingtuiIdempotencyError } from './idempotency.error.js';

class Clock {
  t = 1_000_000;
  now = () => this.t;
  /** A sleep that advances the clock instead of waiting. */
  sleep = (ms: number) => {
    this.t += ms;
    return new Promise<void>((resolve) => setImmediate(resolve));
  };
}

class Failure extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure);
  }
}

function setup() {
  const clock = new Clock();
  const values = new MemorySharedValues(clock.now);
  const ledger = (): IdempotencyLedger =>
    new IdempotencyLedger(values, 'test', clock.now, clock.sleep);
  return { clock, values, ledger };
}

function sendOf(
  sends: { count: number; resends: number },
  body: unknown,
  options: Partial<IdempotentSend<{ msgid: string }>> = {},
): IdempotentSend<{ msgid: string }> {
  return {
    scope: 'crm',
    key: 'order-42',
    fingerprint: fingerprintOf(body),
    send: (resend) => {
      sends.count += 1;
      if (resend) sends.resends += 1;
      return Promise.resolve({ msgid: `m${sends.count}` });
    },
    classify: (error) => (error instanceof Failure ? error.failure : 'unknown'),
    ...options,
  };
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof QingtuiIdempotencyError ? error.code : (error as Error).message;
  }
}

describe('IdempotencyLedger', () => {
  it('sends once; the same key and body again replays the first answer and sends nothing', async () => {
    const { ledger } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    const first = await l.run(sendOf(sends, { a: 1, b: [1, 2] }));
    const again = await l.run(sendOf(sends, { b: [1, 2], a: 1 })); // same body, keys reordered
    expect(first).toEqual({ value: { msgid: 'm1' }, replayed: false });
    expect(again).toEqual({ value: { msgid: 'm1' }, replayed: true });
    expect(sends.count).toBe(1);
  });

  it('the same key with another body: KEY_REUSED, nothing sent', async () => {
    const { ledger } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    await l.run(sendOf(sends, { text: 'a' }));
    expect(await refusal(l.run(sendOf(sends, { text: 'b' })))).toBe('KEY_REUSED');
    expect(sends.count).toBe(1);
  });

  it('keys of different scopes never meet', async () => {
    const { ledger } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    await l.run(sendOf(sends, { text: 'a' }));
    await l.run({ ...sendOf(sends, { text: 'b' }), scope: 'hr' });
    expect(sends.count).toBe(2);
  });

  it('1000 concurrent requests with one key on one instance: one send, one answer for all', async () => {
    const { ledger } = setup();
    const l = ledger();
    let count = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const send: IdempotentSend<{ msgid: string }> = {
      ...sendOf({ count: 0, resends: 0 }, { x: 1 }),
      send: async () => {
        count += 1;
        await gate;
        return { msgid: 'only' };
      },
    };
    const all = Array.from({ length: 1000 }, () => l.run(send));
    release();
    const results = await Promise.all(all);
    expect(count).toBe(1);
    expect(new Set(results.map((r) => r.value.msgid))).toEqual(new Set(['only']));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('a duplicate on another instance waits for the first and gets its answer', async () => {
    const { ledger } = setup();
    const [a, b] = [ledger(), ledger()];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let count = 0;
    const slow: IdempotentSend<{ msgid: string }> = {
      ...sendOf({ count: 0, resends: 0 }, { x: 1 }),
      send: async () => {
        count += 1;
        await gate;
        return { msgid: 'first' };
      },
    };
    const first = a.run(slow);
    await new Promise((r) => setImmediate(r));
    const second = b.run(slow);
    for (let i = 0; i < 5; i += 1) await new Promise((r) => setImmediate(r));
    release();
    expect((await first).value.msgid).toBe('first');
    expect(await second).toEqual({ value: { msgid: 'first' }, replayed: true });
    expect(count).toBe(1);
  });

  it('a duplicate that waits past IDEMPOTENCY_WAIT_MS: IN_PROGRESS, nothing sent', async () => {
    const { ledger, clock } = setup();
    const [a, b] = [ledger(), ledger()];
    const never = {
      ...sendOf({ count: 0, resends: 0 }, { x: 1 }),
      send: () => new Promise<never>(() => {}),
    };
    void a.run(never);
    await new Promise((r) => setImmediate(r));
    const sends = { count: 0, resends: 0 };
    const started = clock.t;
    expect(await refusal(b.run(sendOf(sends, { x: 1 })))).toBe('IN_PROGRESS');
    expect(clock.t - started).toBeGreaterThanOrEqual(IDEMPOTENCY_WAIT_MS);
    expect(sends.count).toBe(0);
  });

  it('a send that did not happen releases the key: the retry sends', async () => {
    const { ledger } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    const failing = {
      ...sendOf(sends, { x: 1 }),
      send: () => Promise.reject(new Failure('not-sent')),
    };
    expect(await refusal(l.run(failing))).toBe('not-sent');
    expect((await l.run(sendOf(sends, { x: 1 }))).replayed).toBe(false);
    expect(sends.count).toBe(1);
  });

  it('an unknown outcome is recorded: retries get OUTCOME_UNKNOWN and nothing is sent', async () => {
    const { ledger } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    const lost = { ...sendOf(sends, { x: 1 }), send: () => Promise.reject(new Failure('unknown')) };
    expect(await refusal(l.run(lost))).toBe('unknown');
    expect(await refusal(ledger().run(sendOf(sends, { x: 1 })))).toBe('OUTCOME_UNKNOWN');
    expect(sends.count).toBe(0);
  });

  it('after an unknown outcome, re-sends only within the platform de-duplication window', async () => {
    const { ledger, clock } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    const options = { resendSafeForMs: 600_000 };
    const lost = {
      ...sendOf(sends, { x: 1 }, options),
      send: () => Promise.reject(new Failure('unknown')),
    };
    await refusal(l.run(lost));
    clock.t += 60_000;
    const retried = await l.run(sendOf(sends, { x: 1 }, options));
    expect(retried).toEqual({ value: { msgid: 'm1' }, replayed: false });
    expect(sends.resends).toBe(1);
    // Now done: replayed.
    expect((await l.run(sendOf(sends, { x: 1 }, options))).replayed).toBe(true);

    // Another key, retried past the window: unknown, not sent.
    const late = { count: 0, resends: 0 };
    await refusal(l.run({ ...lost, key: 'late' }));
    clock.t += 600_000;
    expect(await refusal(l.run({ ...sendOf(late, { x: 1 }, options), key: 'late' }))).toBe(
      'OUTCOME_UNKNOWN',
    );
    expect(late.count).toBe(0);
  });

  it('a send left pending by a stopped instance turns unknown once stale', async () => {
    const { ledger, clock } = setup();
    void ledger().run({
      ...sendOf({ count: 0, resends: 0 }, { x: 1 }),
      send: () => new Promise<never>(() => {}),
    });
    await new Promise((r) => setImmediate(r));
    clock.t += IDEMPOTENCY_PENDING_STALE_MS + 1;
    const sends = { count: 0, resends: 0 };
    expect(await refusal(ledger().run(sendOf(sends, { x: 1 })))).toBe('OUTCOME_UNKNOWN');
    expect(sends.count).toBe(0);
  });

  it('keys are remembered 24 hours, then the key is free again', async () => {
    const { ledger, clock } = setup();
    const l = ledger();
    const sends = { count: 0, resends: 0 };
    await l.run(sendOf(sends, { x: 1 }));
    clock.t += IDEMPOTENCY_TTL_MS - 1;
    expect((await l.run(sendOf(sends, { x: 1 }))).replayed).toBe(true);
    clock.t += 2;
    expect((await l.run(sendOf(sends, { x: 1 }))).replayed).toBe(false);
    expect(sends.count).toBe(2);
  });

  it('refuses unusable keys before anything: empty, 256 characters, not visible ASCII', async () => {
    const { ledger } = setup();
    const sends = { count: 0, resends: 0 };
    for (const key of ['', 'k'.repeat(256), 'clé', 'a b', 'x'.repeat(10 * 1024)]) {
      expect(await refusal(ledger().run({ ...sendOf(sends, {}), key }))).toBe('BAD_KEY');
    }
    await ledger().run({ ...sendOf(sends, {}), key: 'k'.repeat(255) });
    expect(sends.count).toBe(1);
  });

  it('stores a digest of the key, never the client text', async () => {
    const { values } = setup();
    const seen: string[] = [];
    const spy = new Proxy(values, {
      get(target, name, receiver) {
        const original = Reflect.get(target, name, receiver) as unknown;
        if (typeof original !== 'function') return original;
        return (...args: unknown[]) => {
          seen.push(String(args[0]));
          return (original as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    await new IdempotencyLedger(spy, 'p').run(sendOf({ count: 0, resends: 0 }, {}));
    expect(seen.length).toBeGreaterThan(0);
    for (const key of seen) expect(key).not.toContain('order-42');
  });
});
