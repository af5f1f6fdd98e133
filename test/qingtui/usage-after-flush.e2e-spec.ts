import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';
import { LibraryFleet, REDIS_URL, waitUntil } from '../support/platform-fleet.js';

/*
 * Issue 13, point 6: after the store lost the day's call counts (FLUSHALL, a restart empty), an
 * instance started afterwards must not count the day from 0. The keys of this test's prefix are
 * deleted (what a FLUSHALL does to them) rather than flushing the shared Redis.
 */
const APP = { appId: 'flush-count', appSecret: 'flush-count-secret' };

let sandbox: QingtuiSandbox | undefined;
let fleet: LibraryFleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await sandbox?.stop();
  fleet = sandbox = undefined;
});

describe("the day's call count after the store was flushed", () => {
  it('is written back by a running instance, and a new instance starts from it', async () => {
    sandbox = new QingtuiSandbox({ apps: [APP], tokenTtlSeconds: 3_600 });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    const options = {
      apps: [{ name: 'a', ...APP }],
      baseUrl: url,
      refresh: { sweepIntervalMs: 1_000 },
      staleReportProbeTtlMs: 0,
    };
    const [first] = await fleet.start(1, options);
    const token = await first.tokens.getToken('a');
    // A few probes: 1 token call + 5 api calls.
    for (let i = 0; i < 5; i++) await first.tokens.refreshIfCurrent('a', token);
    await waitUntil(() => first.tokens.platformUsage('a').total === 6, 5_000, 'six calls counted');
    expect(sandbox.counters().apps[APP.appId].quotaUsedToday).toBe(6);
    await deleteKeysWithPrefix(REDIS_URL, [fleet.prefix]);
    // Within a sweep or two the running instance has written back what the store lost.
    await new Promise((r) => setTimeout(r, 2_500));
    const [second] = await fleet.start(1, options);
    await waitUntil(
      () => second.tokens.platformUsage('a').total === 6,
      5_000,
      'the new instance counts 6',
    );
    expect(second.tokens.platformUsage('a').total).toBe(6);
    expect(fleet.logs.text()).toContain('restored to 6');
  }, 30_000);
});
