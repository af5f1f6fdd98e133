import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { figure } from '../support/fault-tools.js';
import { LibraryFleet, sleep } from '../support/platform-fleet.js';

/*
 * Issue 13, point 2: a platform that fails fast (HTTP 500) in a token's last seconds, while 20
 * clients keep asking. The library must keep a bounded pace and count what the platform charged.
 */
const APP = { appId: 'last-seconds', appSecret: 'last-seconds-secret-DO-NOT-LOG' };

let sandbox: QingtuiSandbox | undefined;
let fleet: LibraryFleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await sandbox?.stop();
  fleet = sandbox = undefined;
});

describe("renewals in a token's last seconds while the platform answers 500", () => {
  it('20 clients: a bounded pace, every client served until expiry, the count equal to what the platform charged', async () => {
    let attempts = 0;
    sandbox = new QingtuiSandbox({
      apps: [APP],
      tokenTtlSeconds: 8,
      log: (line) => {
        if (line.includes('fault=http500')) attempts++;
      },
    });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    const [instance] = await fleet.start(1, {
      apps: [{ name: 'a', ...APP }],
      baseUrl: url,
      refresh: { ratio: 0.5, jitterRatio: 0, minValidityMs: 30_000 },
    });
    const first = await instance.tokens.getTokenInfo('a');
    // From the 3rd second (before the renewal at 4 s) the token endpoints fail fast.
    await sleep(Math.max(0, first.expiresAt - 5_000 - Date.now()));
    const before = sandbox.counters().apps[APP.appId];
    sandbox.addFault({ kind: 'http500', path: /^\/(v1\/token|auth\/autoRefreshToken)/ });
    let served = 0;
    let refused = 0;
    let refusedBeforeExpiry = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (Date.now() - started < 9_000) {
          const t = await instance.tokens.getToken('a').catch(() => undefined);
          if (t === undefined) {
            refused++;
            if (Date.now() < first.expiresAt - 50) refusedBeforeExpiry++;
          } else served++;
          await sleep(5);
        }
      }),
    );
    sandbox.clearFaults();
    const usage = instance.tokens.platformUsage('a');
    const after = sandbox.counters().apps[APP.appId];
    figure(
      `last seconds: ${attempts} failed token calls in 9 s, ${served} served, ${refused} refused; ` +
        `library count ${usage.total}, platform charged ${after.quotaUsedToday}`,
    );
    // The scheduled renewal (retried inside its flight) then one attempt per hold (>= 2 s apart,
    // doubling): at most 15 in 9 s with 8 s tokens (5% of the lifetime, 400 ms, is the least hold for such short tokens), not one per request.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(15);
    expect(after.quotaUsedToday - before.quotaUsedToday).toBe(0);
    // What the library counts is what the platform charged: failed 500s cost nothing.
    expect(usage.total).toBe(after.quotaUsedToday);
    expect(served).toBeGreaterThan(100);
    // The token was served to the end of its life, never refused while it lived.
    expect(refusedBeforeExpiry).toBe(0);
  }, 60_000);
});
