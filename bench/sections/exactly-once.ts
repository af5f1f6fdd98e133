import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QingtuiSandbox, SANDBOX_DEMO_WECOM_APP, wecomAppKey } from 'qingtui-sandbox';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_FOLLOWERS,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import type { ServerProcess } from '../support/server-process.js';
import { round } from '../support/stats.js';

const MESSAGES = 300;
const WORKERS = 4;
const LOSS = 0.05;
const MAX_ATTEMPTS = 6;
const WW = SANDBOX_DEMO_WECOM_APP;
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);

export const EXACTLY_ONCE_SETUP =
  `One server process (\`dist/src/main.js\`) on Redis, the sandbox in the bench process; ${MESSAGES} logical ` +
  `messages per row sent by ${WORKERS} concurrent clients through \`POST /apps/:app/messages\`. The network is ` +
  `flaky after acceptance on both legs: ${LOSS * 100}% of the platform's answers are lost after it delivered ` +
  `(the sandbox resets the connection after handling), and ${LOSS * 100}% of the server's answers are lost ` +
  `(the client hangs up once its request is sent). Every client retries a failed send (network error, 5xx, 409) ` +
  `up to ${MAX_ATTEMPTS} attempts; "ours" sends an \`Idempotency-Key\` per logical message, "no key" does not`;

export interface ExactlyOnceRow {
  platform: string;
  client: 'ours' | 'no key';
  messages: number;
  deliveries: number;
  perMessage: number;
  /** Logical messages delivered more than once. */
  duplicated: number;
  /** Logical messages never delivered. */
  lost: number;
  /** Logical messages whose client ended on 504 OUTCOME_UNKNOWN (delivered or not). */
  unknown: number;
  attempts: number;
}

interface Answer {
  status: number;
  code?: string;
}

/** One POST; with `hangUp`, the client closes the connection once the body is sent. */
function post(
  server: ServerProcess,
  path: string,
  body: string,
  key: string | undefined,
  hangUp: boolean,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        ...authHeaders,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
    });
    req.on('error', () => resolve({ status: -1 }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, code });
      });
      res.on('error', () => resolve({ status: -1 }));
    });
    req.end(body, () => {
      if (hangUp) {
        req.destroy();
        resolve({ status: -1 });
      }
    });
  });
}

async function runRow(
  server: ServerProcess,
  sandbox: QingtuiSandbox,
  platform: 'qingtui' | 'wecom',
  client: 'ours' | 'no key',
  run: string,
): Promise<ExactlyOnceRow> {
  const path = platform === 'wecom' ? '/apps/ww/messages' : '/apps/default/messages';
  const platformPath =
    platform === 'wecom' ? '/cgi-bin/message/send' : '/v1/message/text/send/single';
  const bodyOf = (i: number) =>
    platform === 'wecom'
      ? JSON.stringify({
          touser: `member-${run}-${i}`,
          msgtype: 'text',
          text: { content: `${run}-${i}` },
        })
      : JSON.stringify({
          type: 'text',
          to_user: BENCH_FOLLOWERS[i % 3],
          message: { content: `${run}-${i}` },
        });
  let next = 0;
  let attempts = 0;
  let unknown = 0;
  const worker = async () => {
    for (let i = next++; i < MESSAGES; i = next++) {
      const body = bodyOf(i);
      const key = client === 'ours' ? `${run}-${i}` : undefined;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        attempts += 1;
        if (Math.random() < LOSS) {
          sandbox.addFault({ kind: 'reset', path: platformPath, afterHandling: true, times: 1 });
        }
        const answer = await post(server, path, body, key, Math.random() < LOSS);
        if (answer.status === 200) break;
        if (answer.status >= 400 && answer.status < 500 && answer.status !== 409) break;
        if (attempt === MAX_ATTEMPTS && answer.code === 'OUTCOME_UNKNOWN') unknown += 1;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  sandbox.clearFaults();
  const contents =
    platform === 'wecom'
      ? sandbox.push
          .deliveries({ appKey: WW_KEY })
          .map((d) => String((d.body as { text?: { content?: string } }).text?.content))
      : sandbox.deliveries(BENCH_APP_ID).map((d) => String(d.message.content));
  const counts = new Map<string, number>();
  for (const c of contents) if (c.startsWith(`${run}-`)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const deliveries = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    platform: platform === 'wecom' ? 'WeCom' : 'Qingtui',
    client,
    messages: MESSAGES,
    deliveries,
    perMessage: round(deliveries / MESSAGES, 3),
    duplicated: [...counts.values()].filter((n) => n > 1).length,
    lost: MESSAGES - counts.size,
    unknown,
    attempts,
  };
}

/** (m) deliveries per logical message under a flaky network, with and without a key. */
export async function exactlyOnce(redisUrl: string): Promise<ExactlyOnceRow[]> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, followers: BENCH_FOLLOWERS }],
  });
  const url = await sandbox.start(0, '127.0.0.1');
  const dir = mkdtempSync(join(tmpdir(), 'bench-exactly-once-'));
  const appsFile = join(dir, 'apps.json');
  writeFileSync(
    appsFile,
    JSON.stringify([
      {
        name: 'ww',
        platform: 'wecom',
        corpId: WW.corpId,
        agentId: Number(WW.agentId),
        secret: WW.secret,
      },
    ]),
  );
  const [server] = await startFleet(1, url, {
    redisUrl,
    env: { WECOM_BASE_URL: url, QINGTUI_APPS_FILE: appsFile, QINGTUI_HTTP_TIMEOUT_MS: '3000' },
  });
  try {
    const rows: ExactlyOnceRow[] = [];
    const stamp = Date.now().toString(36);
    for (const platform of ['wecom', 'qingtui'] as const) {
      for (const client of ['ours', 'no key'] as const) {
        rows.push(
          await runRow(
            server,
            sandbox,
            platform,
            client,
            `${stamp}-${platform}-${client === 'ours' ? 'k' : 'n'}`,
          ),
        );
      }
    }
    return rows;
  } finally {
    await stopFleet([server]);
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
