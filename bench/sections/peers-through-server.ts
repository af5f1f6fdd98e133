import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { writeFileSync } from 'node:fs';
import { ensurePeersInstalled } from '../support/peers-install.js';
import { freePort, SERVER_ENTRY, ServerProcess } from '../support/server-process.js';
import {
  label,
  PEERS_INSTANCES,
  PEERS_LIFETIMES,
  PEERS_OVERLAP_S,
  PEERS_TTL_S,
  type PeersWechatRow,
  type Run,
  runBatch,
  sum,
} from './peers-wechat.js';
import { PEER_VARIANTS } from './peers-wechat.variants.js';

/** The SDKs with their default store: through the server, the store is the server's. */
const THROUGH = PEER_VARIANTS.filter((v) => !v.client.endsWith('/redis'));
const CLIENT_KEY = 'bench-peers-client-key-0123456789';

export const PEERS_THROUGH_SETUP =
  `The same SDKs, unmodified, with their default token store, pointed at one central server process ` +
  `(\`dist/src/main.js\`, Redis) by their own base-URL setting (\`prefix\`, \`endpoint\`, \`http.baseURL\` = ` +
  `\`<server>/apps/<app>\`), the client key in their AppSecret slot: their \`/cgi-bin/token\` is the server's ` +
  `platform-shaped path, their \`getcallbackip\` goes through the relay. Same rules and window as (i)`;

/**
 * (k) The npm WeChat SDKs of (i), N = 1, 3, 5 processes each, through the central server instead
 * of straight to the platform: the platform's grants are the server's (one per rotation), and no
 * business call is rejected or fails.
 */
export async function peersThroughServer(
  redisUrl: string,
  progress: (line: string) => void = () => undefined,
): Promise<PeersWechatRow[]> {
  await ensurePeersInstalled();
  const runs: (Run & { name: string })[] = [];
  for (const variant of THROUGH) {
    const variantLabel = await label(variant);
    for (const instances of PEERS_INSTANCES) {
      const n = runs.length + 1;
      runs.push({
        variant,
        label: `${variantLabel} → central server`,
        name: `wx${n}`,
        instances,
        appId: `wx-through-${n}`,
        appSecret: CLIENT_KEY,
        keyPrefix: `bench-through-${randomUUID()}`,
        scratchDir: await mkdtemp(join(tmpdir(), 'bench-through-')),
        processes: [],
        results: [],
      });
    }
  }
  const sandbox = new QingtuiSandbox({
    wechatApps: runs.map((r) => ({ appId: r.appId, appSecret: `${r.appId}-secret-not-logged` })),
    wechatRules: { tokenTtlSeconds: PEERS_TTL_S, overlapSeconds: PEERS_OVERLAP_S },
  });
  const url = await sandbox.start();
  const dir = await mkdtemp(join(tmpdir(), 'bench-through-apps-'));
  const appsFile = join(dir, 'apps.json');
  writeFileSync(
    appsFile,
    JSON.stringify(
      runs.map((r) => ({
        name: r.name,
        platform: 'wechat-mp',
        appId: r.appId,
        appSecret: `${r.appId}-secret-not-logged`,
      })),
    ),
  );
  const server = await new ServerProcess(
    await freePort(),
    {
      QINGTUI_APPS_FILE: appsFile,
      WECHAT_BASE_URL: url,
      QINGTUI_BASE_URL: url,
      WECOM_BASE_URL: url,
      WECHAT_TOKEN_OVERLAP_MS: String(PEERS_OVERLAP_S * 1000),
      API_KEYS: CLIENT_KEY,
      REDIS_URL: redisUrl,
      QINGTUI_KEY_PREFIX: `bench-through-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'warn',
    },
    SERVER_ENTRY,
  ).start();
  try {
    for (const run of runs) run.targetUrl = `${server.url}/apps/${run.name}`;
    const batches = [...new Set(runs.map((r) => r.variant.batch))];
    for (const batch of batches) {
      const batchRuns = runs.filter((r) => r.variant.batch === batch);
      progress(
        `    ${batch} → server: ${sum(batchRuns.map((r) => r.instances))} processes for ${PEERS_TTL_S * PEERS_LIFETIMES} s ...`,
      );
      await runBatch(sandbox, batchRuns, redisUrl);
    }
  } finally {
    await server.stop();
    await sandbox.stop();
  }
  return runs.map((run) => run.row!);
}
