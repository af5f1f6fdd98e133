import swc from 'unplugin-swc';
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
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
