/**
 * Import rules checked by `npm run lint` (dependency-cruiser): no import cycle anywhere in the
 * library, the sandbox or the server, type-only imports included; the ground floor (`core/`)
 * imports nothing of the library above it; platform adapters never import the engine.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports count): the layers must point one way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-the-ground-floor',
      severity: 'error',
      comment: 'libs/qingtui/src/core holds the contracts every layer speaks: it imports only the error classes.',
      from: { path: '^libs/qingtui/src/core/' },
      to: { path: '^libs/qingtui/src/(?!core/|errors/)' },
    },
    {
      name: 'platforms-below-the-engine',
      severity: 'error',
      comment: 'Platform adapters depend on core/, never on the engine, the token service or the module.',
      from: { path: '^libs/qingtui/src/platforms/' },
      to: { path: '^libs/qingtui/src/(engine|token|http|clients|qingtui\\.module)' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A source file nothing imports is dead code (entry points and package exports aside).',
      from: {
        orphan: true,
        pathNot: [
          '\\.spec\\.ts$',
          '(^|/)(index|main)\\.ts$',
          '^libs/qingtui-sandbox/src/testing/',
          '\\.d\\.ts$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/|\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
