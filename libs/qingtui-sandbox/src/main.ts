#!/usr/bin/env node
/**
 * Standalone sandbox of the Qingtui, WeChat Official Account and WeCom platforms on one port,
 * the package's `qingtui-sandbox` command: `npx qingtui-sandbox --help`.
 * Prints the URL and the registered apps; secrets are never printed (the demo apps'
 * well-known secrets are in the README).
 */
import { parseSandboxCli, SANDBOX_USAGE } from './cli-options.js';
import { QingtuiSandbox } from './sandbox.js';
import {
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
  wecomAppKey,
} from './sandbox.options.js';

async function main(): Promise<void> {
  const parsed = parseSandboxCli(process.argv.slice(2), process.env);
  if (parsed.help) {
    process.stdout.write(SANDBOX_USAGE);
    return;
  }
  const { port, host, log, options } = parsed.config;
  const sandbox = new QingtuiSandbox({
    ...options,
    log: log ? (line) => console.log(line) : undefined,
  });
  const url = await sandbox.start(port, host);

  console.log(`Platform sandbox (Qingtui, WeChat, WeCom) listening on ${url}`);
  for (const app of options.apps ?? [SANDBOX_DEMO_APP]) {
    console.log(
      `  qingtui app ${app.appId} (${app.edition ?? 'enterprise'}, ${app.followers?.length ?? 0} followers)`,
    );
  }
  for (const app of options.wechatApps ?? [SANDBOX_DEMO_WECHAT_APP]) {
    console.log(`  wechat-mp app ${app.appId}`);
  }
  for (const app of options.wecomApps ?? [SANDBOX_DEMO_WECOM_APP]) {
    console.log(`  wecom app ${wecomAppKey(app.corpId, app.agentId)}`);
  }
  if (
    options.apps === undefined ||
    options.wechatApps === undefined ||
    options.wecomApps === undefined
  ) {
    console.log('  the demo apps’ secrets are in the README of the qingtui-sandbox package');
  }
  console.log(`  control API: ${url}/__sandbox/state`);

  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: stopping the sandbox`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`qingtui-sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
