import { QingtuiSandbox, wecomAppKey } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { figure } from '../support/fault-tools.js';
import { LibraryFleet } from '../support/platform-fleet.js';

/*
 * Issue 13, point 1: a loop of "this token was rejected" reports of the current token, from many
 * keys on two instances sharing Redis, for ten times the longest probe spacing (set to 1 s here so
 * that the test runs in seconds; the schedule is the same law at 60 s). Before the fix, the
 * memory lapsed after its lifetime and every report then cost a probe. Counts are exact.
 */
const SPACING_MS = 1_000;
const DURATION_MS = 10 * SPACING_MS;
const KEYS = Array.from({ length: 10 }, (_, i) => `client-${i}`);

let sandbox: QingtuiSandbox | undefined;
let fleet: LibraryFleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await sandbox?.stop();
  fleet = sandbox = undefined;
});

const PLATFORMS = [
  {
    platform: 'qingtui',
    key: 'loop-qt',
    sandbox: { apps: [{ appId: 'loop-qt', appSecret: 'loop-qt-secret' }], tokenTtlSeconds: 3_600 },
    app: { name: 'a', appId: 'loop-qt', appSecret: 'loop-qt-secret' },
    baseUrls: (url: string) => ({ qingtui: url }),
  },
  {
    platform: 'wechat-mp',
    key: 'wx-loop',
    sandbox: {
      wechatApps: [{ appId: 'wx-loop', appSecret: 'wx-loop-secret' }],
      wechatRules: { tokenTtlSeconds: 3_600 },
    },
    app: { name: 'a', platform: 'wechat-mp', appId: 'wx-loop', appSecret: 'wx-loop-secret' },
    baseUrls: (url: string) => ({ 'wechat-mp': url }),
  },
  {
    platform: 'wecom',
    key: wecomAppKey('ww-loop', 1000002),
    sandbox: {
      wecomApps: [{ corpId: 'ww-loop', agentId: 1000002, secret: 'ww-loop-secret' }],
      wecomRules: { tokenTtlSeconds: 3_600 },
    },
    app: {
      name: 'a',
      platform: 'wecom',
      corpId: 'ww-loop',
      agentId: 1000002,
      secret: 'ww-loop-secret',
    },
    baseUrls: (url: string) => ({ wecom: url }),
  },
] as const;

describe('a passive-refresh loop that outlasts every memory (2 instances, Redis, 10 keys)', () => {
  for (const p of PLATFORMS) {
    it(`${p.platform}: at most 2 probes per spacing, no grant, every answer the current token`, async () => {
      sandbox = new QingtuiSandbox(p.sandbox as never);
      const url = await sandbox.start();
      fleet = new LibraryFleet();
      const instances = await fleet.start(2, {
        apps: [p.app],
        baseUrls: p.baseUrls(url),
        staleReportProbeTtlMs: SPACING_MS,
      });
      const token = await instances[0].tokens.getToken('a');
      const before = sandbox.counters().apps[p.key];
      const started = Date.now();
      let reports = 0;
      const wrong: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, loop) => {
          for (let i = 0; Date.now() - started < DURATION_MS; i++) {
            const instance = instances[(loop + i) % 2];
            const answer = await instance.tokens.refreshIfCurrent('a', token, {
              reporter: KEYS[(loop * 7 + i) % KEYS.length],
            });
            reports += 1;
            if (answer !== token) wrong.push(answer);
            if (i % 50 === 0) await new Promise((r) => setImmediate(r));
          }
        }),
      );
      const after = sandbox.counters().apps[p.key];
      const probes = after.apiCalls - before.apiCalls;
      figure(
        `${p.platform} report loop: ${reports} reports in ${DURATION_MS} ms, ${probes} probes, ${after.grants - before.grants} grants`,
      );
      expect(wrong).toEqual([]);
      expect(reports).toBeGreaterThan(1_000);
      expect(after.grants - before.grants).toBe(0);
      // Two schedules (keys already told, keys not yet told), each at most one probe per spacing
      // once at its longest, shared by the instances; a few more while the schedules start.
      expect(probes).toBeLessThanOrEqual(2 * (DURATION_MS / SPACING_MS) + 6);
    }, 60_000);
  }
});
