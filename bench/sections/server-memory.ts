import { QingtuiSandbox } from 'qingtui-sandbox';
import autocannon from 'autocannon';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import { round, rssOf, sleep } from '../support/stats.js';

const READS = 100_000;
/**
 * Idle time before each settled reading: V8 keeps the garbage of a burst of requests (Express's
 * per-request objects reach the old generation) until the process has been idle for a while, when
 * its memory reducer runs a compacting GC (some 20-30 s after the allocations stop). A leak stays
 * through it; garbage does not.
 */
const SETTLE_MS = 40_000;

export interface ServerMemoryResult {
  reads: number;
  errors: number;
  /** Settled RSS after the warm-up, MiB. */
  rssBeforeMiB: number;
  /** RSS one second after the reads (their garbage still held), MiB. */
  rssPeakMiB: number;
  /** Settled RSS after the reads, MiB. */
  rssAfterMiB: number;
  /** Settled after over settled before. */
  growthPct: number;
}

/** (e, second half) RSS of a server process before and after 100k HTTP token reads, settled. */
export async function serverMemory(): Promise<ServerMemoryResult> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, edition: 'enterprise' }],
  });
  const url = await sandbox.start();
  const [server] = await startFleet(1, url);
  try {
    const target = `${server.url}/apps/default/token`;
    // Warm-up, so that "before" is a steady state and not a cold process.
    await autocannon({ url: target, connections: 16, amount: 10_000, headers: authHeaders });
    await sleep(SETTLE_MS);
    const before = await rssOf(server.pid!);
    const result = await autocannon({
      url: target,
      connections: 16,
      amount: READS,
      headers: authHeaders,
    });
    await sleep(1_000);
    const peak = await rssOf(server.pid!);
    await sleep(SETTLE_MS);
    const after = await rssOf(server.pid!);
    return {
      reads: result.requests.total,
      errors: result.errors + result.non2xx,
      rssBeforeMiB: round(before, 1),
      rssPeakMiB: round(peak, 1),
      rssAfterMiB: round(after, 1),
      growthPct: round(((after - before) / before) * 100, 2),
    };
  } finally {
    await stopFleet([server]);
    await sandbox.stop();
  }
}
