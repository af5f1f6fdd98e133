import { createClient } from '@keyv/redis';
import type { AppCounters } from 'qingtui-sandbox';

/** Platform calls of every kind in a sandbox counter snapshot. */
export function platformCalls(c: AppCounters): number {
  return c.tokenCalls + c.refreshCalls + c.apiCalls;
}

/** What changed between two counter snapshots of one app (numeric fields only). */
export function counterDelta(before: AppCounters, after: AppCounters): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    if (typeof value === 'number')
      delta[name] = value - (before[name as keyof AppCounters] as number);
  }
  return delta;
}

/**
 * Runs one Redis command on a fresh connection (so that it works after `CLIENT KILL`, a restart
 * or a password change), giving up after `timeoutMs`.
 */
export async function redisCommand(
  url: string,
  args: string[],
  timeoutMs = 2_000,
): Promise<unknown> {
  const client = createClient({
    url,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`redis ${args[0]}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    ).unref(),
  );
  try {
    await Promise.race([client.connect(), timeout]);
    return await Promise.race([client.sendCommand(args), timeout]);
  } finally {
    client.destroy();
  }
}

/** The token record stored under `key` (the Keyv envelope the library writes), raw and parsed. */
export async function readStoredRecord(
  url: string,
  key: string,
): Promise<
  | { raw: string; record: { accessToken: string; generation: number; refreshToken?: string } }
  | undefined
> {
  const raw = await redisCommand(url, ['GET', key]);
  if (typeof raw !== 'string') return undefined;
  const envelope = JSON.parse(raw) as { value: string | object };
  const record = typeof envelope.value === 'string' ? JSON.parse(envelope.value) : envelope.value;
  return { raw, record };
}

/** Outcome of one call made by a load loop. */
export interface LoopSample<T> {
  at: number;
  ms: number;
  value?: T;
  error?: unknown;
}

/**
 * `workers` closed loops calling `call` until `stop()` says so or `durationMs` passed; every
 * call's latency, result or error is kept.
 */
export async function closedLoops<T>(
  workers: number,
  durationMs: number,
  call: (worker: number) => Promise<T>,
  stop: () => boolean = () => false,
  pauseMs = 0,
): Promise<LoopSample<T>[]> {
  const samples: LoopSample<T>[] = [];
  const deadline = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (Date.now() < deadline && !stop()) {
        const started = performance.now();
        const at = Date.now();
        try {
          const value = await call(worker);
          samples.push({ at, ms: performance.now() - started, value });
        } catch (error) {
          samples.push({ at, ms: performance.now() - started, error });
        }
        if (pauseMs > 0) await sleep(pauseMs);
      }
    }),
  );
  return samples;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns true; resolves to the time it took, or throws. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Prints a measured figure so that it shows in the test output. */
export function figure(text: string): void {
  process.stdout.write(`    [figure] ${text}\n`);
}
