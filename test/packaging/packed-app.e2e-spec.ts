import { createClient } from '@keyv/redis';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';
import {
  CHECK_TS,
  CONSUMER_TS,
  OBSERVABILITY_CHECK_TS,
  REDIS_CHECK_TS,
} from './packed-app.sources.js';
import { ReadmeBlocks } from './readme-blocks.js';

/*
 * Both packages as a user gets them: packed from a fresh copy of their sources with the README's
 * command, installed from the tarballs into a brand-new ESM Nest 12 application built from the
 * README's own files (tsconfig, module, service, Vitest config and test), compiled with tsc, and
 * run. First without the optional @keyv/redis, then with it. Dependencies come from the npm cache
 * when it has them (`--prefer-offline`), otherwise from the registry.
 */

const ROOT = process.cwd();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PACKAGES = ['nestjs-qingtui', 'qingtui-sandbox'] as const;
const DEMO = { appId: 'demo-app-id', appSecret: 'demo-app-secret' };
const CLIENT_KEY = 'packaging-test-client-key-0123456789';
/** "Install in your app" lives in the library's own README (the package page on the registry). */
const readme = new ReadmeBlocks(join(ROOT, 'libs', 'qingtui', 'README.md'));
const INSTALL = readme.section('## Install in your app', '**Tests with Jest.**');

const work = mkdtempSync(join(tmpdir(), 'qingtui-packaging-'));
const clone = join(work, 'clone');
const tarballDir = join(work, 'tarballs');
const app = join(work, 'app');
const tarballs = new Map<string, string>();
const redisPrefix = `packaging-${randomUUID()}`;
let sandbox: ChildProcess | undefined;
let sandboxUrl = '';
let server: ServerProcess | undefined;

afterAll(async () => {
  sandbox?.kill();
  await server?.stop();
  await deleteKeysWithPrefix(REDIS_URL, [redisPrefix]);
  rmSync(work, { recursive: true, force: true });
});

/** The environment of a child: this one without npm's and Vitest's own variables. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|vitest|node_options$|test$|node_env$)/i.test(name)) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to completion; fails with everything it printed. */
async function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd,
      env: childEnv(env),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    });
    return stdout;
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed (${String(e.code)}):\n${e.stdout}\n${e.stderr}`,
      { cause: error },
    );
  }
}

/** Runs one of the app's programs and reads the JSON line it prints last. */
async function runApp<T>(program: string, env: Record<string, string>): Promise<T> {
  const out = await run(process.execPath, [join('dist', program)], app, env);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as T;
}

/** The version of a package in this repository's node_modules: the app pins the same. */
function versionOf(name: string): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/** An `npm install` line of the README as package.json entries: tarballs, or pinned versions. */
function dependenciesOf(line: string[]): Record<string, string> {
  const entries = line.slice(2).filter((arg) => !arg.startsWith('-'));
  return Object.fromEntries(
    entries.map((spec) => {
      if (!spec.endsWith('.tgz')) return [spec, versionOf(spec)];
      const name = PACKAGES.find((p) => basename(spec).startsWith(`${p}-`));
      expect(name, `README installs an unknown tarball ${spec}`).toBeDefined();
      expect(basename(spec), 'the README names the tarball npm pack makes').toBe(
        basename(tarballs.get(name!)!),
      );
      return [name!, `file:${tarballs.get(name!)}`];
    }),
  );
}

async function sandboxState(): Promise<{
  counters: { apps: Record<string, Record<string, number>> };
}> {
  return (await (await fetch(`${sandboxUrl}/__sandbox/state`)).json()) as never;
}

async function deliveries(): Promise<{ msgId: string; toUsers?: string[]; target?: unknown }[]> {
  const res = await fetch(`${sandboxUrl}/__sandbox/deliveries?app=${DEMO.appId}`);
  return ((await res.json()) as { deliveries: never[] }).deliveries;
}

describe('the packed packages in a fresh application', () => {
  it('pack from a fresh copy of their sources with the README command, shipping only what a user needs', async () => {
    // A copy of what a clone has: the packages' sources, the root's workspace manifest and
    // shared compiler options, and (through a link) the root's installed node_modules.
    for (const pkg of ['libs/qingtui', 'libs/qingtui-sandbox']) {
      cpSync(join(ROOT, pkg), join(clone, pkg), {
        recursive: true,
        filter: (source) =>
          !/(^|\/)(dist|node_modules)(\/|$)/.test(relative(join(ROOT, pkg), source)),
      });
    }
    for (const file of ['package.json', 'tsconfig.base.json'])
      cpSync(join(ROOT, file), join(clone, file));
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');

    // The README's commands as written, in a folder of this test's instead of /tmp/qingtui-packages,
    // which does not exist before (as on a fresh machine: the README creates it).
    const [pack] = readme.commands(INSTALL, 'npm pack');
    const destination = pack[pack.indexOf('--pack-destination') + 1];
    const [mkdir] = readme.commands(INSTALL, 'mkdir');
    expect(mkdir).toEqual(['mkdir', '-p', destination]);
    expect(existsSync(tarballDir)).toBe(false);
    await run('mkdir', ['-p', tarballDir], clone);
    const args = pack.slice(1);
    args[args.indexOf('--pack-destination') + 1] = tarballDir;
    const packed = JSON.parse(await run('npm', [...args, '--json'], clone)) as {
      name: string;
      filename: string;
      files: { path: string }[];
    }[];

    expect(packed.map((p) => p.name)).toEqual([...PACKAGES]);
    for (const { name, filename, files } of packed) {
      tarballs.set(name, join(tarballDir, basename(filename)));
      const paths = files.map((f) => f.path);
      expect(paths.filter((p) => !p.startsWith('dist/')).sort()).toEqual([
        'LICENSE',
        'README.md',
        'package.json',
      ]);
      expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));
      expect(
        paths.filter(
          (p) => /\.spec\.|tsbuildinfo|\/testing\/|\.ts$/.test(p) && !p.endsWith('.d.ts'),
        ),
      ).toEqual([]);
      expect(existsSync(tarballs.get(name)!)).toBe(true);
    }
    expect(packed[1].files.map((f) => f.path)).toContain('dist/main.js');
  }, 240_000);

  it('install from the tarballs without @keyv/redis, and compile with a strict tsconfig', async () => {
    const installs = readme.commands(INSTALL, 'npm install');
    const redis = installs.filter((line) => line.includes('@keyv/redis'));
    expect(redis).toEqual([['npm', 'install', '@keyv/redis']]);
    const lines = installs.filter((line) => !line.includes('@keyv/redis'));
    const dev = lines.filter((line) => line.includes('-D'));
    const prod = lines.filter((line) => !line.includes('-D'));
    // What a new Nest 12 application has before adding the library.
    const base = ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'];
    mkdirSync(app);
    const manifest = {
      name: 'packed-app',
      private: true,
      type: 'module',
      dependencies: Object.assign(
        dependenciesOf(['npm', 'install', ...base]),
        ...prod.map(dependenciesOf),
      ),
      devDependencies: Object.assign({}, ...dev.map(dependenciesOf)),
    };
    expect(Object.keys(manifest.dependencies)).toContain('nestjs-qingtui');
    expect(Object.keys(manifest.devDependencies)).toEqual(
      expect.arrayContaining([
        'qingtui-sandbox',
        'typescript',
        '@types/node',
        'vitest',
        'unplugin-swc',
        '@nestjs/testing',
      ]),
    );
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const files: Record<string, string> = {
      'tsconfig.json': readme.file('tsconfig.json'),
      'src/app.module.ts': readme.file('src/app.module.ts'),
      'src/notifier.service.ts': readme.file('src/notifier.service.ts'),
      'src/main.ts': readme.file('src/main.ts'),
      'vitest.config.ts': readme.file('vitest.config.ts'),
      'test/notifier.spec.ts': readme.file('test/notifier.spec.ts'),
      'src/check.ts': CHECK_TS,
      'src/consumer.ts': CONSUMER_TS,
      'src/redis-check.ts': REDIS_CHECK_TS,
      'src/observability-check.ts': OBSERVABILITY_CHECK_TS,
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), content);
    }
    expect(readme.file('tsconfig.json')).toMatch(/"strict": true/);

    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
    expect(existsSync(join(app, 'node_modules', '@keyv', 'redis'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'nestjs-qingtui', 'src'))).toBe(false);
    await run(
      process.execPath,
      [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      app,
    );
    expect(existsSync(join(app, 'dist', 'app.module.js'))).toBe(true);
    expect(existsSync(join(app, 'dist', 'main.js'))).toBe(true);
  }, 300_000);

  it("gets a token and sends a message through @InjectQingtuiClient() against the packed sandbox's command", async () => {
    // The processes of this file fetch the demo app's token one after another, often less than 2 s
    // apart on a fast machine: the 2 s rule of /v1/token (tested elsewhere) is switched off here.
    const args = ['--port', '0', '--token-interval', '0'];
    const child = spawn(join(app, 'node_modules', '.bin', 'qingtui-sandbox'), args, {
      cwd: app,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sandbox = child;
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (
      !/listening on (http:\/\/\S+)/.test(printed) &&
      Date.now() < deadline &&
      child.exitCode === null
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    sandboxUrl = /listening on (http:\/\/\S+)/.exec(printed)?.[1] ?? '';
    expect(sandboxUrl, printed).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const result = await runApp<{ token: string; same: boolean; msgId: string; store: string }>(
      'check.js',
      {
        QINGTUI_APP_ID: DEMO.appId,
        QINGTUI_APP_SECRET: DEMO.appSecret,
        QINGTUI_BASE_URL: sandboxUrl,
        FOLLOWER: 'openid-alice',
      },
    );
    expect(result.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(result.same).toBe(true);
    expect(result.store).toBe('memory');
    const counters = (await sandboxState()).counters.apps[DEMO.appId];
    expect(counters.tokenGrants).toBe(1);
    expect(counters.deliveries).toBe(1);
    expect((await deliveries()).map((d) => d.msgId)).toEqual([result.msgId]);
  }, 60_000);

  it("passes the application's own Vitest test, written as the README's testing section says", async () => {
    const out = await run(
      process.execPath,
      [join('node_modules', 'vitest', 'vitest.mjs'), 'run'],
      app,
    );
    expect(out).toMatch(/Tests\s+1 passed \(1\)/);
  }, 120_000);

  it('reads its tokens from a running central control server in consumer mode', async () => {
    server = await new ServerProcess(
      await freePort(),
      {
        QINGTUI_BASE_URL: sandboxUrl,
        QINGTUI_APP_ID: DEMO.appId,
        QINGTUI_APP_SECRET: DEMO.appSecret,
        API_KEYS: CLIENT_KEY,
      },
      SERVER_ENTRY,
    ).start();
    const result = await runApp<{ token: string; msgId: string }>('consumer.js', {
      CENTRAL_URL: server.url,
      CENTRAL_KEY: CLIENT_KEY,
      QINGTUI_BASE_URL: sandboxUrl,
      FOLLOWER: 'openid-bob',
    });
    const served = (await (
      await fetch(`${server.url}/apps/default/token`, {
        headers: { Authorization: `Bearer ${CLIENT_KEY}` },
      })
    ).json()) as { access_token: string };
    expect(result.token).toBe(served.access_token);
    // One grant for the first app, one for the server; the consumer fetched none.
    const counters = (await sandboxState()).counters.apps[DEMO.appId];
    expect(counters.grants).toBe(2);
    expect((await deliveries()).map((d) => d.msgId)).toContain(result.msgId);
    await server.stop();
  }, 90_000);

  it('without @keyv/redis, fails at start-up naming the package when Redis is asked for', async () => {
    const result = await runApp<{ error?: string }>('redis-check.js', {
      QINGTUI_APP_ID: DEMO.appId,
      QINGTUI_APP_SECRET: DEMO.appSecret,
      QINGTUI_BASE_URL: sandboxUrl,
      REDIS_URL,
      KEY_PREFIX: redisPrefix,
    });
    expect(result.error).toBe(
      'Invalid Qingtui configuration: "redisUrl" needs the optional package @keyv/redis, which is ' +
        'not installed (@keyv/redis cannot be loaded): npm install @keyv/redis',
    );
  }, 60_000);

  it('tells lifecycle events without any optional package, and names prom-client when metrics are asked for', async () => {
    const result = await runApp<{ renewed: string[]; metricsError?: string }>(
      'observability-check.js',
      {
        QINGTUI_APP_ID: DEMO.appId,
        QINGTUI_APP_SECRET: DEMO.appSecret,
        QINGTUI_BASE_URL: sandboxUrl,
      },
    );
    expect(result.renewed).toEqual(['crm:initial:credentials']);
    expect(result.metricsError).toBe(
      'Invalid Qingtui configuration: "metrics" needs the optional package prom-client, which is ' +
        'not installed: npm install prom-client',
    );
  }, 60_000);

  it('with @keyv/redis added as the README says, keeps its token in Redis', async () => {
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        `@keyv/redis@${versionOf('@keyv/redis')}`,
      ],
      app,
    );
    const result = await runApp<{ token?: string; store?: string; error?: string }>(
      'redis-check.js',
      {
        QINGTUI_APP_ID: DEMO.appId,
        QINGTUI_APP_SECRET: DEMO.appSecret,
        QINGTUI_BASE_URL: sandboxUrl,
        REDIS_URL,
        KEY_PREFIX: redisPrefix,
      },
    );
    expect(result.error).toBeUndefined();
    expect(result.store).toBe('redis');
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const stored = await redis.get(`${redisPrefix}:{qingtui:${DEMO.appId}}:token`);
      expect(stored).toContain(result.token);
    } finally {
      await redis.close();
    }
  }, 120_000);
});
