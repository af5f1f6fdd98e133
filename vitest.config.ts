import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const alias = {
  'nestjs-qingtui': fileURLToPath(new URL('./libs/qingtui/src/index.ts', import.meta.url)),
  'qingtui-sandbox': fileURLToPath(
    new URL('./libs/qingtui-sandbox/src/index.ts', import.meta.url),
  ),
};

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
  resolve: { alias },
  test: {
    reporters: ['default', './test/support/plain-summary.reporter.ts'],
    // Two cores: keep parallelism modest, and give timer-driven tests room.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          testTimeout: 30_000,
          include: ['libs/**/*.spec.ts', 'src/**/*.spec.ts'],
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
