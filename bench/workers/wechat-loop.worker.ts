import { mkdir } from 'node:fs/promises';
import { runClosedLoop } from './closed-loop.js';
import type { WechatClient } from './clients/wechat-client.interface.js';
import type {
  ParentMessage,
  WechatClientKind,
  WechatWorkerConfig,
  WorkerMessage,
} from './wechat-loop.protocol.js';

/**
 * One process of the peers-wechat section (forked with IPC by `WechatLoopProcess`): builds its
 * library's client from the `start` message, makes one warm-up call, says `ready`, runs the
 * closed loops on `go`, sends the `result` and exits.
 */

const WARM_UP_ATTEMPTS = 10;

/** Each library is loaded only in the processes that use it. */
const CLIENTS: Record<WechatClientKind, (config: WechatWorkerConfig) => Promise<WechatClient>> = {
  'co-wechat-api/memory': async (c) =>
    (await import('./clients/co-wechat-api.client.js')).coWechatApiClient(c, 'memory'),
  'co-wechat-api/redis': async (c) =>
    (await import('./clients/co-wechat-api.client.js')).coWechatApiClient(c, 'redis'),
  'wechat-api/memory': async (c) =>
    (await import('./clients/wechat-api.client.js')).wechatApiClient(c, 'memory'),
  'wechat-api/redis': async (c) =>
    (await import('./clients/wechat-api.client.js')).wechatApiClient(c, 'redis'),
  'node-easywechat/file': async (c) =>
    (await import('./clients/node-easywechat.client.js')).nodeEasyWechatClient(c, 'file'),
  'node-easywechat/redis': async (c) =>
    (await import('./clients/node-easywechat.client.js')).nodeEasyWechatClient(c, 'redis'),
  'nestjs-qingtui/redis': async (c) =>
    (await import('./clients/nestjs-qingtui.client.js')).nestjsQingtuiClient(c),
};

let config: WechatWorkerConfig | undefined;
let client: WechatClient | undefined;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()));
}

/** An error's message without the AppSecret (some peers put their token URL in messages). */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return config ? text.split(config.appSecret).join('***') : text;
}

async function start(received: WechatWorkerConfig): Promise<void> {
  config = received;
  await mkdir(received.scratchDir, { recursive: true });
  client = await CLIENTS[received.client](received);
  let lastError: unknown;
  for (let attempt = 0; attempt < WARM_UP_ATTEMPTS; attempt++) {
    try {
      await client.callbackIp();
      await send({ type: 'ready' });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`warm-up call failed ${WARM_UP_ATTEMPTS} times, last: ${describe(lastError)}`);
}

async function go(durationMs: number): Promise<void> {
  if (!config || !client) throw new Error('go before start');
  const active = client;
  const result = await runClosedLoop(() => active.callbackIp(), {
    loops: config.loops,
    pauseMs: config.pauseMs,
    durationMs,
  });
  await send({ type: 'result', result });
  await active.close();
  process.disconnect();
}

async function fail(error: unknown): Promise<void> {
  await send({ type: 'error', message: describe(error) });
  await client?.close().catch(() => undefined);
  process.exit(1);
}

process.on('message', (message: ParentMessage) => {
  const step = message.type === 'start' ? start(message.config) : go(message.durationMs);
  void step.catch(fail);
});
// The parent went away: nothing left to report to.
process.on('disconnect', () => process.exit(0));
