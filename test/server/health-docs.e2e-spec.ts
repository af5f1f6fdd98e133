import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import {
  ADMIN_KEY,
  CRM_APP,
  CRM_KEY,
  serverEnv,
  startHarness,
  writeAppsFile,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('GET /health and the API docs', () => {
  let h: ServerHarness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers anonymous callers with a status only', async () => {
    const res = await request(h.app.getHttpServer()).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const live = await request(h.app.getHttpServer()).get('/health/live');
    expect([live.status, live.body]).toEqual([200, { status: 'ok' }]);
  });

  it('keeps the details for client keys', async () => {
    const res = await request(h.app.getHttpServer()).get('/health/details');
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain(CRM_APP.appId);
  });

  it('reports every app with a valid token, and the store, without any token', async () => {
    const res = await request(h.app.getHttpServer()).get('/health/details').set(auth);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    const details = res.body.details;
    expect(details.tokens.status).toBe('up');
    expect(details.tokens.apps.default).toMatchObject({
      appId: SANDBOX_DEMO_APP.appId,
      state: 'valid',
      renewing: false,
    });
    expect(details.tokens.apps.crm).toMatchObject({ appId: CRM_APP.appId, state: 'valid' });
    expect(details.store).toEqual({ status: 'up', kind: 'memory', state: 'ok' });
    expect(details.clients).toMatchObject({ status: 'up', refused: { total: expect.any(Number) } });

    const text = JSON.stringify(res.body);
    for (const appId of [SANDBOX_DEMO_APP.appId, CRM_APP.appId]) {
      expect(text).not.toContain(h.sandbox.currentToken(appId)!);
    }
    expect(text).not.toMatch(/access_?token|refresh_?token|secret/i);
  });

  it('shows a key scoped to some apps only those apps', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/health/details')
      .set('Authorization', `Bearer ${CRM_KEY}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.details.tokens.apps)).toEqual(['crm']);
    expect(JSON.stringify(res.body)).not.toContain(SANDBOX_DEMO_APP.appId);
  });

  it('is not cached', async () => {
    for (const path of ['/health', '/health/live']) {
      const res = await request(h.app.getHttpServer()).get(path);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await request(h.app.getHttpServer()).get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);

    const doc = await request(h.app.getHttpServer()).get('/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/apps/{app}/token',
        '/apps/{app}/token/refresh',
        '/apps/{app}/messages',
        '/health',
        '/health/live',
        '/health/details',
      ]),
    );
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.body.paths['/apps/{app}/token'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.body.paths['/health'].get.security).toBeUndefined();
    expect(doc.body.paths['/health/details'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.body.components.schemas.SendMessageDto.required).toEqual(['type', 'message']);
    const token = doc.body.components.schemas.TokenResponseDto;
    expect(Object.keys(token.properties).sort()).toEqual([
      'access_token',
      'expires_at',
      'expires_in',
    ]);
  });
});

describe('health when tokens or the store are in trouble', () => {
  it('stays ready (200) while one app has no valid token, whose trouble /health/details names (503); its token endpoint answers 502 with the errcode (issue 13.4)', async () => {
    // The server holds a wrong AppSecret for `crm`: the platform refuses to issue its token.
    const h = await startHarness({
      appsFile: [{ name: 'crm', appId: CRM_APP.appId, appSecret: 'wrong-secret-for-crm' }],
    });
    try {
      const anonymous = await request(h.app.getHttpServer()).get('/health');
      // Readiness: the instance serves the other apps, it stays in the load balancer's rotation.
      expect([anonymous.status, anonymous.body]).toEqual([200, { status: 'ok' }]);
      await request(h.app.getHttpServer()).get('/apps/default/token').set(auth).expect(200);
      const health = await request(h.app.getHttpServer()).get('/health/details').set(auth);
      expect(health.status).toBe(503);
      expect(health.body.status).toBe('error');
      expect(health.body.error.tokens.message).toBe('No valid token for: crm');
      expect(health.body.details.tokens.apps.crm).toMatchObject({
        state: 'missing',
        lastError: { kind: 'credential' },
      });
      expect(health.body.details.tokens.apps.default.state).toBe('valid');

      const token = await request(h.app.getHttpServer()).get('/apps/crm/token').set(auth);
      expect(token.status).toBe(502);
      expect(Number(token.headers['retry-after'])).toBeGreaterThan(0);
      expect(token.body).toMatchObject({
        statusCode: 502,
        errcode: expect.any(Number),
        errmsg: expect.any(String),
      });
      expect(h.printed()).not.toContain('wrong-secret-for-crm');
    } finally {
      await h.close();
    }
  });

  it('logs the health when it changes, not on every check', async () => {
    // Every /v1/token call fails from the start: no app has a token.
    const h = await startHarness({
      beforeServer: (sandbox) => sandbox.addFault({ kind: 'http500', path: '/v1/token' }),
    });
    const server = h.app.getHttpServer();
    const healthLines = () => h.logs.lines.filter((line) => line.includes('Health is'));
    try {
      // Readiness stays 200 (the instance serves; the apps' trouble is in the details).
      for (let i = 0; i < 100; i++) {
        expect((await request(server).get('/health')).body).toEqual({ status: 'ok' });
      }
      await request(server).get('/health/details').set(auth).expect(503);
      expect(healthLines()).toHaveLength(1);
      expect(healthLines()[0]).toMatch(
        /^warn Health is error; tokens: No valid token for: default, crm/,
      );

      // The platform is back: the tokens are fetched (at the library's pace), health turns ok.
      h.sandbox.clearFaults();
      const deadline = Date.now() + 20_000;
      for (const app of ['default', 'crm']) {
        while ((await request(server).get(`/apps/${app}/token`).set(auth)).status !== 200) {
          expect(Date.now()).toBeLessThan(deadline);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      for (let i = 0; i < 100; i++) await request(server).get('/health').expect(200);
      expect(healthLines()).toHaveLength(2);
      expect(healthLines()[1]).toMatch(/^log Health is ok \(was error; tokens: No valid token/);
      // No multi-line error blocks from the health checks.
      expect(h.logs.text()).not.toMatch(/HealthCheckService|"status":"down"/);
    } finally {
      await h.close();
    }
  });

  it('reports a store it cannot reach as degraded (HTTP 200) while tokens are served from memory', async () => {
    // Nothing listens on port 1: the Redis store is unreachable from the start.
    const h = await startHarness({
      env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_OPTIONAL: 'true' },
    });
    try {
      const anonymous = await request(h.app.getHttpServer()).get('/health');
      expect([anonymous.status, anonymous.body]).toEqual([200, { status: 'degraded' }]);
      const health = await request(h.app.getHttpServer()).get('/health/details').set(auth);
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
      expect(health.body.details.store).toMatchObject({ status: 'degraded', state: 'degraded' });
      expect(health.body.details.tokens.status).toBe('up');
      const token = await request(h.app.getHttpServer()).get('/apps/default/token').set(auth);
      expect(token.status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('answers 503 for a token while the platform is unreachable and no token is known', async () => {
    // Nothing listens on port 1. The library spaces /v1/token attempts 2 s apart, hence the wait.
    const apps = writeAppsFile([
      { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
    ]);
    const app = await createApp(serverEnv('http://127.0.0.1:1', apps.path), {
      logger: new LogCapture(),
    });
    try {
      const token = await request(app.getHttpServer()).get('/apps/default/token').set(auth);
      expect(token.status).toBe(503);
      expect(token.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        errmsg: expect.any(String),
      });
      expect(token.headers['retry-after']).toBeDefined();
      // Readiness is the instance's: it serves (the platform is what fails, for every instance).
      const health = await request(app.getHttpServer()).get('/health');
      expect([health.status, health.body]).toEqual([200, { status: 'ok' }]);
      const details = await request(app.getHttpServer()).get('/health/details').set(auth);
      expect(details.status).toBe(503);
    } finally {
      await app.close();
      apps.cleanup();
    }
  });
});
