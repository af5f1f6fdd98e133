import type { LoggerService } from '@nestjs/common';
import { TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import type { AddressInfo } from 'node:net';
import { startServer } from '../../src/app.factory.js';
import { BENCH_APP_ID, BENCH_KEY, BENCH_SECRET } from '../support/fleet.js';
import { percentile, round, sleep } from '../support/stats.js';

const OUTAGE_MS = 60_000;
const CLIENTS = 50;
const TOKEN_TTL_S = 2;

export interface OutageResult {
  clients: number;
  durationS: number;
  requests: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** Renewal attempts the server made (failed ones, counted by the library). */
  attempts: number;
  /** Platform calls the sandbox received for them. */
  calls: number;
  p50Ms: number;
  p99Ms: number;
  /** Warning/error lines of the token service, and of every logger, during the outage. */
  tokenServiceAlarms: number;
  allWarnings: number;
  /** From the platform's return to the first 200. */
  recoveryMs: number;
}

export const OUTAGE_SETUP =
  `The server (built, in the bench process so that its TokenService can be asked how many attempts it made; ` +
  `listening on a port, ${CLIENTS} HTTP clients in closed loops on \`GET /apps/default/token\`) and the sandbox with ` +
  `${TOKEN_TTL_S} s tokens. The sandbox drops the connection of every token and refresh_token call (fault \`reset\`), ` +
  `the token expires, then the 60 s window is measured`;

/** Counts log lines instead of printing them (the outage makes the server log per request). */
class CountingLogger implements LoggerService {
  readonly lines: { level: string; context: string }[] = [];
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn(_message: unknown, context?: unknown): void {
    this.lines.push({ level: 'warn', context: String(context) });
  }
  error(_message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'error', context: String(rest[rest.length - 1]) });
  }
}

/**
 * (g) Platform calls during a 60 s platform outage once no valid token exists, with 50 clients:
 * the target is one call per scheduled attempt (attempts 1–5 s apart), not one per request.
 */
export async function outageCalls(): Promise<OutageResult> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET }],
    tokenTtlSeconds: TOKEN_TTL_S,
  });
  const platformUrl = await sandbox.start();
  const logger = new CountingLogger();
  const app = await startServer(
    {
      PORT: '0',
      QINGTUI_BASE_URL: platformUrl,
      QINGTUI_APP_ID: BENCH_APP_ID,
      QINGTUI_APP_SECRET: BENCH_SECRET,
      API_KEYS: BENCH_KEY,
    },
    { logger },
  );
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const tokens = app.get(TokenService);
  const get = async () => {
    const res = await fetch(`${url}/apps/default/token`, {
      headers: { authorization: `Bearer ${BENCH_KEY}` },
    });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    if ((await get()) !== 200) throw new Error('no token before the outage');
    sandbox.addFault({ kind: 'reset', path: /^\/(auth|v1\/token)/ });
    while (tokens.status()[0].state !== 'expired' || tokens.status()[0].renewing) await sleep(50);
    const counts = () => {
      const c = sandbox.counters().apps[BENCH_APP_ID];
      return c.tokenCalls + c.refreshCalls + c.apiCalls;
    };
    const callsBefore = counts();
    const attemptsBefore = tokens.status()[0].consecutiveFailures;
    const linesBefore = logger.lines.length;
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() - started < OUTAGE_MS) {
          const t0 = performance.now();
          const status = await get().catch(() => 0);
          latencies.push(performance.now() - t0);
          statuses[status] = (statuses[status] ?? 0) + 1;
          await sleep(5);
        }
      }),
    );
    const durationMs = Date.now() - started;
    // An attempt under way is let finish, so that calls and attempts are compared whole.
    while (tokens.status()[0].renewing) await sleep(20);
    const calls = counts() - callsBefore;
    const attempts = tokens.status()[0].consecutiveFailures - attemptsBefore;
    const window = logger.lines.slice(linesBefore);
    sandbox.clearFaults();
    const back = Date.now();
    while ((await get()) !== 200) await sleep(20);
    return {
      clients: CLIENTS,
      durationS: round(durationMs / 1000, 1),
      requests: latencies.length,
      statuses,
      attempts,
      calls,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      tokenServiceAlarms: window.filter((l) => l.context === 'QingtuiTokenService').length,
      allWarnings: window.length,
      recoveryMs: Date.now() - back,
    };
  } finally {
    await app.close();
    await sandbox.stop();
  }
}
