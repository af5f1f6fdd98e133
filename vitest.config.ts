import swc from 'unplugin-swc';
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/*
 * `nestjs-qingtui` and `qingtui-sandbox` resolve as in any application: node_modules (npm
 * workspaces) → the package's `exports` → its built `dist` (`npm test` builds first). Vitest
 * would transform them because their real path is outside node_modules; they are loaded by Node
 * instead, like every other package, so that the server, the tests and Nest share one copy of
 * every class. Specs beside the code in libs/ import their sources relatively.
 */
const server = { deps: { external: [/\/libs\/qingtui(-sandbox)?\/dist\//] } };

// SWC compiles the TypeScript so that legacy decorators and their design-time
// metadata (which Nest's dependency injection reads) are emitted; esbuild does not.
const plugins = [
  swc.vite({
    module: { type: 'es6' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  }),
];

/*
 * End-to-end files that may run two at a time (beside each other or a unit file): long ones that
 * mostly wait on real timers and child processes, count what happened rather than how fast, and
 * use their own key prefixes and private ports (`freePort`). Every other e2e file runs alone: its
 * latency figures, CPU-bound loops, browser, or start-up races must not share the two cores.
 */
const E2E_PAIRED = [
  'test/scale/cache-trust.e2e-spec.ts',
  'test/packaging/packed-app.e2e-spec.ts',
  'test/scale/multi-process.e2e-spec.ts',
  'test/qingtui/wechat-mp.e2e-spec.ts',
  'test/scale/sdks-through-server.e2e-spec.ts',
  'test/scale/wechat-classic.e2e-spec.ts',
  'test/server/auth.e2e-spec.ts',
  'test/scale/refresh-token-at-rest.e2e-spec.ts',
  'test/scale/messages-exactly-once.e2e-spec.ts',
  'test/server/observability.e2e-spec.ts',
  'test/qingtui/metrics.e2e-spec.ts',
  'test/qingtui/client.e2e-spec.ts',
  'test/server/apps-reload.e2e-spec.ts',
  'test/server/relay-stream.e2e-spec.ts',
  'test/server/relay.e2e-spec.ts',
  'test/qingtui/usage-after-flush.e2e-spec.ts',
  'test/server/messages-exactly-once.e2e-spec.ts',
  'test/server/config.e2e-spec.ts',
  'test/qingtui/consumer-mode.e2e-spec.ts',
  'test/server/tickets.e2e-spec.ts',
  'test/server/platform-paths.e2e-spec.ts',
  'test/qingtui/distributed.e2e-spec.ts',
  'test/server/platforms.e2e-spec.ts',
  'test/qingtui/encryption-key.e2e-spec.ts',
  'test/server/stand-in.e2e-spec.ts',
  'test/server/relay-sdk.e2e-spec.ts',
  'test/server/readme-messages.e2e-spec.ts',
  'test/server/relay-rate-limit.e2e-spec.ts',
  'test/server/output-redaction.e2e-spec.ts',
  'test/packaging/workspace-packages.e2e-spec.ts',
];
// A renamed or deleted file would silently fall out of the list (and run alone): say so instead.
for (const file of E2E_PAIRED) {
  if (!existsSync(new URL(`./${file}`, import.meta.url))) throw new Error(`vitest.config.ts: E2E_PAIRED names ${file}, which does not exist`);
}

export default defineConfig({
  plugins,
  test: {
    server,
    reporters: ['default', './test/support/plain-summary.reporter.ts'],
    // Two cores: keep parallelism modest, and give timer-driven tests room.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        plugins,
        test: {
          server,
          name: 'unit',
          setupFiles: ['./test/support/quiet-nest-logs.ts'],
          testTimeout: 30_000,
          include: ['libs/**/*.spec.ts', 'src/**/*.spec.ts'],
        },
      },
      {
        plugins,
        test: {
          server,
          name: 'e2e',
          setupFiles: ['./test/support/quiet-nest-logs.ts'],
          include: ['test/**/*.e2e-spec.ts'],
          exclude: E2E_PAIRED,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        plugins,
        test: {
          server,
          name: 'e2e-paired',
          setupFiles: ['./test/support/quiet-nest-logs.ts'],
          include: E2E_PAIRED,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
