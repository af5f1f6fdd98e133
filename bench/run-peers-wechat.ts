import 'reflect-metadata';
import { peersWechat } from './sections/peers-wechat.js';
import { peersWechatLogLine, peersWechatMarkdown } from './sections/peers-wechat.report.js';

/**
 * Section (f) of `npm run bench` alone (about 4 minutes): `npm run build` first, then
 * `node dist/bench/run-peers-wechat.js`. Prints its Markdown; leaves BENCHMARKS.md alone.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log('(f) WeChat classic rules, side by side with the npm SDKs, N = 1, 3, 5 ...');
  const result = await peersWechat(REDIS_URL, log);
  for (const r of result.rows) log(`    ${peersWechatLogLine(r)}`);
  log(`\n${peersWechatMarkdown(result)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
