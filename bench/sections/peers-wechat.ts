import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppCounters, QingtuiSandbox } from 'qingtui-sandbox';
import { ensurePeersInstalled, PEERS_DIR, peerVersion } from '../support/peers-install.js';
import { RedisJsonStore } from '../support/redis-json-store.js';
import { percentile, round } from '../support/stats.js';
import { WechatLoopProcess } from '../support/wechat-loop-process.js';
import type {
  WechatClientKind,
  WechatLoopResult,
  WechatWorkerConfig,
} from '../workers/wechat-loop.protocol.js';
import { NOT_RUN, REGISTERED_VARIANTS, type WechatVariant } from './peers-wechat.variants.js';

/** WeChat classic rules with compressed time: 20 s tokens, the previous one dies 2 s after a new fetch. */
export const PEERS_TTL_S = 20;
export const PEERS_OVERLAP_S = 2;
export const PEERS_LIFETIMES = 3;
export const PEERS_INSTANCES = [1, 3, 5] as const;
export const LOOPS_PER_PROCESS = 2;
export const PAUSE_MS = 50;

/** One variant with N processes over the measured window. */
export interface PeersWechatRow {
  client: WechatClientKind;
  /** Library and version, e.g. `co-wechat-api 3.11.0`. */
  variant: string;
  store: string;
  instances: number;
  /** Business calls made by the callers (closed loops). */
  calls: number;
  /** New tokens the platform issued during the window. */
  grants: number;
  grantsPerLifetime: number;
  /** `/cgi-bin/token` requests, and those the platform rejected. */
  tokenFetches: number;
  tokenRejected: number;
  /** Business calls the platform received (retries included), and those it rejected by errcode. */
  platformCalls: number;
  rejected: number;
  rejectedByErrcode: Record<number, number>;
  /** Calls whose caller got no `ip_list`, total and by reason. */
  failed: number;
  failures: Record<string, number>;
  /** p99 of one business call as the caller saw it, token fetches and retries included. */
  p99Ms: number;
  /** Set when the run could not be made; the figures are then 0. */
  error?: string;
}

export interface PeersWechatResult {
  rows: PeersWechatRow[];
  notRun: readonly { name: string; reason: string }[];
  /** Wall time of the whole section (s). */
  wallS: number;
}

export interface Run {
  variant: WechatVariant;
  /** Where the processes point the library (default: the sandbox itself). */
  targetUrl?: string;
  label: string;
  instances: number;
  appId: string;
  appSecret: string;
  keyPrefix: string;
  scratchDir: string;
  processes: WechatLoopProcess[];
  results: WechatLoopResult[];
  error?: string;
  row?: PeersWechatRow;
}

export function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function diffErrcodes(
  after: Record<number, number>,
  before: Record<number, number>,
): Record<number, number> {
  const out: Record<number, number> = {};
  for (const [code, count] of Object.entries(after)) {
    const d = count - (before[Number(code)] ?? 0);
    if (d > 0) out[Number(code)] = d;
  }
  return out;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function label(variant: WechatVariant): Promise<string> {
  if (variant.packageName === undefined) return variant.label ?? variant.client;
  return `${variant.packageName} ${await peerVersion(variant.packageName)}`;
}

/** Starts the N processes of a run; on any failure stops those that started and records why. */
async function startRun(
  run: Run,
  base: Omit<WechatWorkerConfig, 'client' | 'appId' | 'appSecret' | 'keyPrefix' | 'scratchDir'>,
): Promise<void> {
  const started = await Promise.allSettled(
    Array.from({ length: run.instances }, async (_, i) => {
      const scratchDir = join(run.scratchDir, `p${i}`);
      return WechatLoopProcess.start({
        ...base,
        client: run.variant.client,
        sandboxUrl: run.targetUrl ?? base.sandboxUrl,
        appId: run.appId,
        appSecret: run.appSecret,
        keyPrefix: run.keyPrefix,
        scratchDir,
      });
    }),
  );
  for (const s of started) if (s.status === 'fulfilled') run.processes.push(s.value);
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    run.error = `a process did not start: ${message(failure.reason)}`;
    await Promise.all(run.processes.map((p) => p.stop()));
    run.processes = [];
  }
}

function toRow(
  run: Run,
  before: AppCounters | undefined,
  after: AppCounters | undefined,
): PeersWechatRow {
  const latencies = run.results.flatMap((r) => r.latenciesMs);
  const failures: Record<string, number> = {};
  for (const r of run.results) {
    for (const [reason, count] of Object.entries(r.failures))
      failures[reason] = (failures[reason] ?? 0) + count;
  }
  const ok = run.error === undefined && before !== undefined && after !== undefined;
  const grants = ok ? after.grants - before.grants : 0;
  const rejectedByErrcode = ok ? diffErrcodes(after.apiRejected, before.apiRejected) : {};
  return {
    client: run.variant.client,
    variant: run.label,
    store: run.variant.store,
    instances: run.instances,
    calls: sum(run.results.map((r) => r.calls)),
    grants,
    grantsPerLifetime: round(grants / PEERS_LIFETIMES),
    tokenFetches: ok ? after.tokenCalls - before.tokenCalls : 0,
    tokenRejected: ok
      ? sum(Object.values(diffErrcodes(after.tokenRejected, before.tokenRejected)))
      : 0,
    platformCalls: ok ? after.apiCalls - before.apiCalls : 0,
    rejected: sum(Object.values(rejectedByErrcode)),
    rejectedByErrcode,
    failed: sum(run.results.map((r) => r.failed)),
    failures,
    p99Ms: latencies.length > 0 ? round(percentile(latencies, 99), 1) : NaN,
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}

/** Runs one batch: its runs start together, go together (window timed by each process), stop together. */
export async function runBatch(
  sandbox: QingtuiSandbox,
  runs: Run[],
  redisUrl: string,
  windowMs = PEERS_TTL_S * PEERS_LIFETIMES * 1000,
  overlapS = PEERS_OVERLAP_S,
): Promise<void> {
  const base = {
    sandboxUrl: sandbox.url,
    redisUrl,
    peersDir: PEERS_DIR,
    loops: LOOPS_PER_PROCESS,
    pauseMs: PAUSE_MS,
    tokenOverlapMs: overlapS * 1000,
  };
  try {
    await Promise.all(runs.map((run) => startRun(run, base)));
    const live = runs.filter((run) => run.error === undefined);
    const before = structuredClone(sandbox.counters().apps);
    await Promise.all(
      live.map(async (run) => {
        const results = await Promise.allSettled(run.processes.map((p) => p.run(windowMs)));
        for (const r of results) if (r.status === 'fulfilled') run.results.push(r.value);
        const failure = results.find((r) => r.status === 'rejected');
        if (failure) run.error = `a process failed during the window: ${message(failure.reason)}`;
      }),
    );
    const after = sandbox.counters().apps;
    for (const run of runs) run.row = toRow(run, before[run.appId], after[run.appId]);
  } finally {
    await Promise.all(runs.flatMap((run) => run.processes.map((p) => p.stop())));
    await Promise.all(
      runs.map(async (run) => {
        const store = RedisJsonStore.open(PEERS_DIR, redisUrl, run.keyPrefix);
        try {
          await store.clear();
        } finally {
          await store.quit();
        }
        await rm(run.scratchDir, { recursive: true, force: true });
      }),
    );
  }
}

/**
 * (f) Side by side with the WeChat SDKs people use instead: each registered variant with N = 1, 3
 * and 5 processes under the WeChat classic rules (every `/cgi-bin/token` call issues a new token
 * and the previous one dies after the overlap), each process calling `getcallbackip` in closed
 * loops for {@link PEERS_LIFETIMES} token lifetimes. Every run has its own app on one sandbox, so
 * the platform's counters are exact per run; the variants of a batch (one library) run together.
 */
export async function peersWechat(
  redisUrl: string,
  progress: (line: string) => void = () => undefined,
): Promise<PeersWechatResult> {
  const started = performance.now();
  await ensurePeersInstalled();
  const runs: Run[] = [];
  for (const variant of REGISTERED_VARIANTS) {
    const variantLabel = await label(variant);
    for (const instances of PEERS_INSTANCES) {
      runs.push({
        variant,
        label: variantLabel,
        instances,
        appId: `wx-peers-${runs.length + 1}`,
        appSecret: randomBytes(16).toString('hex'),
        keyPrefix: `bench-peers-${randomUUID()}`,
        scratchDir: await mkdtemp(join(tmpdir(), 'bench-peers-')),
        processes: [],
        results: [],
      });
    }
  }
  const sandbox = new QingtuiSandbox({
    wechatApps: runs.map((r) => ({ appId: r.appId, appSecret: r.appSecret })),
    wechatRules: { tokenTtlSeconds: PEERS_TTL_S, overlapSeconds: PEERS_OVERLAP_S },
  });
  await sandbox.start();
  try {
    const batches = [...new Set(runs.map((r) => r.variant.batch))];
    for (const batch of batches) {
      const batchRuns = runs.filter((r) => r.variant.batch === batch);
      progress(
        `    ${batch}: ${sum(batchRuns.map((r) => r.instances))} processes for ${PEERS_TTL_S * PEERS_LIFETIMES} s ...`,
      );
      await runBatch(sandbox, batchRuns, redisUrl);
    }
  } finally {
    await sandbox.stop();
  }
  return {
    rows: runs.map((run) => run.row ?? toRow(run, undefined, undefined)),
    notRun: NOT_RUN,
    wallS: Math.round((performance.now() - started) / 1000),
  };
}

export const PEERS_WECHAT_SETUP =
  `WeChat classic rules with compressed time: tokens of ${PEERS_TTL_S} s, the previous token dies ${PEERS_OVERLAP_S} s ` +
  `after each new \`/cgi-bin/token\` call (40001 then). Each process makes \`getcallbackip\` calls in ` +
  `${LOOPS_PER_PROCESS} closed loops (${PAUSE_MS} ms pause between calls) for ${PEERS_LIFETIMES} lifetimes ` +
  `(${PEERS_TTL_S * PEERS_LIFETIMES} s), after one warm-up call each; counts cover that window. Every run ` +
  `(variant × N) has its own app on one sandbox; the runs of one library run at the same time`;
