import { randomUUID } from 'node:crypto';
import { freePort, SERVER_ENTRY, ServerProcess } from './server-process.js';

export const BENCH_APP_ID = 'bench-app';
export const BENCH_SECRET = 'bench-secret-not-logged';
export const BENCH_KEY = 'bench-client-key-0123456789abcdef';
export const BENCH_FOLLOWERS = ['openid-1', 'openid-2', 'openid-3'];

/** Starts `count` processes of the built server against a sandbox, sharing Redis if given. */
export async function startFleet(
  count: number,
  sandboxUrl: string,
  options: { redisUrl?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess[]> {
  const prefix = `bench-${randomUUID()}`;
  return Promise.all(
    Array.from({ length: count }, async () =>
      new ServerProcess(
        await freePort(),
        {
          QINGTUI_BASE_URL: sandboxUrl,
          QINGTUI_APP_ID: BENCH_APP_ID,
          QINGTUI_APP_SECRET: BENCH_SECRET,
          API_KEYS: BENCH_KEY,
          QINGTUI_KEY_PREFIX: prefix,
          BENCH_BARE_ENDPOINT: 'true',
          ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
          ...options.env,
        },
        SERVER_ENTRY,
      ).start(),
    ),
  );
}

export async function stopFleet(fleet: ServerProcess[]): Promise<void> {
  await Promise.all(fleet.map((s) => s.stop()));
}

export const authHeaders = { authorization: `Bearer ${BENCH_KEY}` };
