import type { NestExpressApplication } from '@nestjs/platform-express';
import { TokenService } from 'nestjs-qingtui';
import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { ConfigValidationError } from '../../src/config/config-validation.error.js';
import { BUILT, BuiltServer } from '../support/built-server.js';
import { sleep, waitFor } from '../support/fault-tools.js';
import {
  ADMIN_KEY,
  CRM_APP,
  CRM_KEY,
  SECRETS,
  serverEnv,
  startHarness,
  startPlatform,
  writeAppsFile,
  type ServerHarness,
} from '../support/central-server.harness.js';

/**
 * Issue 10 for the server: GET /metrics, the status page's access and data, the logs, and the
 * variables LOG_LEVEL, LOG_FORMAT, METRICS_KEY and QINGTUI_SANDBOX_TOKEN_TTL (each shown to take
 * effect). The page itself is tested in a real browser in `status-page.e2e-spec.ts`.
 */
const METRICS_KEY = 'metrics-key-0123456789abcdef';
const DEMO = SANDBOX_DEMO_APP.appId;
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const basic = (key: string, user = 'ops') => ({
  Authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`,
});
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<ServerHarness> {
  const h = await startHarness(options);
  closers.push(() => h.close());
  return h;
}

/** Collects what is written to stdout and stderr, without printing it. */
class SilentCapture {
  readonly chunks: string[] = [];
  private restore?: () => void;

  install(): this {
    const out = process.stdout.write;
    const err = process.stderr.write;
    const tap = (chunk: unknown): boolean => {
      this.chunks.push(
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
      );
      return true;
    };
    process.stdout.write = tap;
    process.stderr.write = tap;
    this.restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
  }

  text(): string {
    return this.chunks.join('');
  }
}

/** The server with its own logger (ServerLogger), its output captured. */
async function withOwnLogger(
  env: Record<string, string>,
): Promise<{ app: NestExpressApplication; output: SilentCapture }> {
  const output = new SilentCapture().install();
  try {
    const app = await createApp(env);
    closers.push(async () => {
      await app.close();
      output.uninstall();
    });
    return { app, output };
  } catch (error) {
    output.uninstall();
    throw error;
  }
}

/** A real deployment's environment against a sandbox: `default` and `crm`. */
async function realEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const { sandbox, url } = await startPlatform();
  const apps = writeAppsFile([{ name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret }]);
  closers.push(async () => {
    await sandbox.stop();
    apps.cleanup();
  });
  return serverEnv(url, apps.path, extra);
}

/** Sum of the samples of `name` whose labels include `labels`, in Prometheus' text format. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(match[3]);
  }
  return total;
}

describe('GET /metrics', () => {
  it('is open by default and counts exactly the grants the platform made, per app', async () => {
    const h = await harness({ sandbox: { tokenTtlSeconds: 2 } });
    const http = request(h.app.getHttpServer());
    const first = (await http.get('/apps/default/token').set(bearer(ADMIN_KEY)).expect(200)).body
      .access_token as string;
    // A revoked token reported by a client, the scheduled renewals of 2 s tokens meanwhile.
    h.sandbox.revokeTokens(DEMO);
    await http
      .post('/apps/default/token/refresh')
      .set(bearer(ADMIN_KEY))
      .send({ stale_token: first })
      .expect(200);
    await http.get('/nowhere').expect(404);
    await sleep(2_500);

    const tokens = h.app.get(TokenService);
    let text = '';
    await waitFor(
      'metrics equal to the sandbox counters',
      async () => {
        if (tokens.status().some((s) => s.renewing)) return false;
        text = (await http.get('/metrics').expect(200)).text;
        const counters = h.sandbox.counters().apps;
        return [
          ['default', DEMO],
          ['crm', CRM_APP.appId],
        ].every(
          ([app, appId]) =>
            sample(text, 'qingtui_token_grants_total', { app, platform: 'qingtui' }) ===
              counters[appId].grants &&
            sample(text, 'qingtui_token_grants_total', { app, via: 'refresh-token' }) ===
              counters[appId].grantsByKind.refresh,
        );
      },
      3_000,
      25,
    );
    expect(sample(text, 'qingtui_token_grants_total', { app: 'default' })).toBeGreaterThanOrEqual(
      3,
    );
    expect(sample(text, 'qingtui_token_grants_total', { app: 'default', reason: 'stale' })).toBe(1);
    expect(
      sample(text, 'qingtui_passive_refresh_reports_total', { app: 'default', outcome: 'renewed' }),
    ).toBe(1);
    // The HTTP metrics, by route pattern (never the path itself).
    expect(
      sample(text, 'http_requests_total', {
        method: 'GET',
        route: '/apps/:app/token',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'http_requests_total', { route: '/apps/:app/token/refresh', status: '200' }),
    ).toBe(1);
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toMatch(/qingtui_store_up\{app="crm",platform="qingtui",store="memory"\} 1/);
    for (const secret of [
      ...SECRETS,
      first,
      (await http.get('/apps/default/token').set(bearer(ADMIN_KEY))).body.access_token,
    ]) {
      expect(text).not.toContain(secret);
    }
  }, 20_000);

  it('METRICS_KEY: needs that key as a bearer token, and no client key will do', async () => {
    const h = await harness({ env: { METRICS_KEY } });
    const http = request(h.app.getHttpServer());
    const refused = await http.get('/metrics').expect(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(refused.body.message).toBe('GET /metrics needs Authorization: Bearer <METRICS_KEY>');
    await http.get('/metrics').set(bearer(ADMIN_KEY)).expect(401);
    const ok = await http.get('/metrics').set(bearer(METRICS_KEY)).expect(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toContain('qingtui_token_grants_total');
    expect(ok.text).not.toContain(METRICS_KEY);
    expect(h.printed()).not.toContain(METRICS_KEY);
    // Counted with the other refused keys.
    const details = await http.get('/health/details').set(bearer(ADMIN_KEY)).expect(200);
    expect(details.body.details.clients.refused.total).toBe(2);
  });
});

describe('GET /status and /status/data', () => {
  it('in a real deployment need a client key: HTTP Basic for browsers, or a bearer token', async () => {
    const h = await harness();
    const http = request(h.app.getHttpServer());
    for (const path of ['/status', '/status/data']) {
      const refused = await http.get(path).expect(401);
      expect(refused.headers['www-authenticate']).toBe(
        'Basic realm="Qingtui token server status", charset="UTF-8"',
      );
      await http.get(path).set(basic('not-a-key-of-this-server-123')).expect(401);
    }
    // A key in the URL is no key.
    await http.get(`/status?key=${ADMIN_KEY}`).expect(401);

    const page = await http.get('/status').set(basic(ADMIN_KEY)).expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(
      /default-src 'none'; script-src 'sha256-/,
    );
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.text).toContain(
      '<title>Token server for Qingtui, WeChat and WeCom · status</title>',
    );

    const all = (await http.get('/status/data').set(basic(ADMIN_KEY, '')).expect(200)).body;
    expect(all.mode).toBe('platform');
    expect(all.apps.map((a: { name: string }) => a.name)).toEqual(['default', 'crm']);
    expect(all.apps[0]).toMatchObject({
      name: 'default',
      platform: 'qingtui',
      state: 'valid',
      origin: 'credentials',
      generation: 1,
      platformCallsToday: { total: 1, token: 1, state: 'ok' },
    });
    expect(Date.parse(all.apps[0].expiresAt) - Date.parse(all.apps[0].issuedAt)).toBe(7_200_000);
    expect(all.store).toEqual({ kind: 'memory', state: 'ok' });
    expect(all.instance).toMatchObject({ pid: process.pid });
    // A scoped key sees only its apps.
    const scoped = (await http.get('/status/data').set(bearer(CRM_KEY)).expect(200)).body;
    expect(scoped.apps.map((a: { name: string }) => a.name)).toEqual(['crm']);

    const token = (await http.get('/apps/default/token').set(bearer(ADMIN_KEY))).body
      .access_token as string;
    const shown = JSON.stringify(all) + page.text;
    for (const secret of [...SECRETS, token]) expect(shown).not.toContain(secret);
  });

  it('in sandbox mode open without a key', async () => {
    const app = await createApp({ QINGTUI_SANDBOX: 'true' }, { logger: false });
    closers.push(() => app.close());
    const http = request(app.getHttpServer());
    await http.get('/status').expect(200);
    const data = (await http.get('/status/data').expect(200)).body;
    expect(data.mode).toBe('sandbox');
    expect(data.apps[0]).toMatchObject({ name: 'default', state: 'valid' });
  });
});

describe('logs', () => {
  it('LOG_FORMAT=json: one JSON object per line with an ISO time and its zone, and one access line per request', async () => {
    const { app, output } = await withOwnLogger(await realEnv({ LOG_FORMAT: 'json' }));
    const http = request(app.getHttpServer());
    const from = output.chunks.length;
    await http
      .get('/apps/crm/token?access_token=from-a-careless-client')
      .set(bearer(CRM_KEY))
      .expect(200);
    await http.get('/apps/default/token').set(bearer(CRM_KEY)).expect(403);
    await http.get('/health').expect(200);
    const lines = output.chunks.slice(from).join('').split('\n').filter(Boolean);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d)$/);
      expect(typeof record.context).toBe('string');
    }
    const access = records.filter((r) => r.context === 'HTTP');
    expect(access).toHaveLength(3);
    expect(access[0]).toMatchObject({
      level: 'log',
      method: 'GET',
      path: '/apps/crm/token',
      status: 200,
      app: 'crm',
      client: 'API_KEYS[1]',
    });
    expect(typeof access[0].durationMs).toBe('number');
    expect(access[1]).toMatchObject({ path: '/apps/default/token', status: 403, app: 'default' });
    expect(access[1].client).toBeUndefined();
    expect(access[2]).toMatchObject({ path: '/health', status: 200 });
    const text = output.text();
    expect(text).not.toContain('from-a-careless-client');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    // Each component logs under its own context.
    const contexts = new Set(
      output
        .text()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { context?: string }).context),
    );
    for (const context of ['NestFactory', 'QingtuiTokenService', 'HTTP', 'ClientAuth']) {
      expect(contexts).toContain(context);
    }
  });

  it('LOG_FORMAT=pretty (the default): lines for people, with the ISO time and its zone', async () => {
    const { app, output } = await withOwnLogger(await realEnv());
    const from = output.chunks.length;
    await request(app.getHttpServer()).get('/apps/crm/token').set(bearer(ADMIN_KEY)).expect(200);
    const line = plain(output.chunks.slice(from).join('')).trim();
    expect(line).toMatch(
      /^\[qingtui\] \d+ {2}- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d +LOG \[HTTP\] GET \/apps\/crm\/token 200 [\d.]+ ms app=crm client=API_KEYS\[0\]$/,
    );
  });

  it('LOG_LEVEL: writes that level and the more severe ones only', async () => {
    const { app, output } = await withOwnLogger(
      await realEnv({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }),
    );
    await request(app.getHttpServer()).get('/apps/crm/token').set(bearer(ADMIN_KEY)).expect(200);
    await request(app.getHttpServer())
      .get('/apps/crm/token')
      .set(bearer('a-wrong-key-0123456789'))
      .expect(401);
    const levels = output
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { level: string }).level);
    expect(levels).toEqual(['warn']); // the refused key; no start-up line, no access line

    const verbose = await withOwnLogger(await realEnv({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }));
    const debugLevels = new Set(
      verbose.output
        .text()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { level: string }).level),
    );
    expect(debugLevels).toContain('log');
    expect(debugLevels).not.toContain('verbose');
  });
});

describe.skipIf(!BUILT)('logs of the built process', () => {
  it('LOG_FORMAT=json holds from the first line: a start-up error is one JSON line naming the variable', async () => {
    const server = new BuiltServer({ LOG_FORMAT: 'json', PORT: 'not-a-port', METRICS_KEY });
    closers.push(() => server.kill());
    expect((await server.exited).code).toBe(1);
    const lines = server.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'error', context: 'Bootstrap' });
    expect(record.message).toMatch(/^Invalid configuration: PORT must be an integer/);
    expect(record.time).toMatch(/[+-]\d\d:\d\d$/);
    expect(server.text()).not.toContain(METRICS_KEY);
  });
});

describe('the new variables are validated at start-up, by name', () => {
  const env = { QINGTUI_SANDBOX: 'true' };
  it.each([
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of verbose, debug, log, warn, error, fatal/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT must be json or pretty; got "xml"/],
    ['METRICS_KEY', 'short', /METRICS_KEY must be 16–512 characters/],
    [
      'QINGTUI_SANDBOX_TOKEN_TTL',
      '1',
      /QINGTUI_SANDBOX_TOKEN_TTL must be an integer between 2 and 86400/,
    ],
  ])('%s=%s', async (name, value, message) => {
    const error = await createApp({ ...env, [name]: value }, { logger: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toMatch(message);
  });

  it('QINGTUI_SANDBOX_TOKEN_TTL: the embedded sandbox issues tokens of that lifetime, and nothing else takes it', async () => {
    const app = await createApp({ QINGTUI_SANDBOX_TOKEN_TTL: '5' }, { logger: false });
    closers.push(() => app.close());
    const [status] = (await request(app.getHttpServer()).get('/status/data').expect(200)).body.apps;
    expect(Date.parse(status.expiresAt) - Date.parse(status.issuedAt)).toBe(5_000);

    const error = await createApp(await realEnv({ QINGTUI_SANDBOX_TOKEN_TTL: '5' }), {
      logger: false,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /QINGTUI_SANDBOX_TOKEN_TTL only applies to the embedded sandbox \(no app configured\)/,
    );
  });
});
