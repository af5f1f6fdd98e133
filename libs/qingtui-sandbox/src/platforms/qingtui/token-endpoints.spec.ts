import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import { SANDBOX_DEMO_APP, type SandboxOptions } from '../../sandbox.options.js';
import {
  fetchToken,
  getJson,
  refreshUrl,
  tokenErrcode,
  tokenUrl,
} from '../../testing/http-helpers.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const DEMO = SANDBOX_DEMO_APP.appId;

describe('token endpoints', () => {
  let sandbox: QingtuiSandbox;
  let clock = T0;
  let base = '';

  /** A started sandbox with a controllable clock. */
  async function start(options: SandboxOptions = {}): Promise<string> {
    clock = T0;
    sandbox = new QingtuiSandbox({ now: () => clock, ...options });
    base = await sandbox.start();
    return base;
  }

  afterEach(async () => {
    await sandbox?.stop();
  });

  describe('GET /v1/token', () => {
    it('answers credential errors with HTTP 200 and the documented errcodes', async () => {
      await start();
      const cases: Array<[string, number, string?]> = [
        ['/v1/token?grant_type=client_credential&secret=x', 41002],
        ['/v1/token?grant_type=client_credential&appid=demo-app-id', 41004],
        ['/v1/token?grant_type=password&appid=demo-app-id&secret=demo-app-secret', 40002],
        ['/v1/token?appid=demo-app-id&secret=demo-app-secret', 40002],
        [
          '/v1/token?grant_type=client_credential&appid=nope&secret=demo-app-secret',
          40401,
          'appid or secret is unauthenticated',
        ],
        [
          '/v1/token?grant_type=client_credential&appid=demo-app-id&secret=wrong',
          40401,
          'appid or secret is unauthenticated',
        ],
      ];
      for (const [path, errcode, errmsg] of cases) {
        const { status, body } = await getJson(`${base}${path}`);
        expect(status).toBe(200);
        expect(body.errcode).toBe(errcode);
        if (errmsg !== undefined) expect(body).toEqual({ errcode, errmsg });
      }
    });

    it('grants access_token, expires_in and refresh_token, with no errcode field', async () => {
      await start({ tokenTtlSeconds: 3 });
      const { status, body } = await getJson(tokenUrl(base));
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token']);
      expect(body.expires_in).toBe(3);
      expect(body.refresh_token).toMatch(/^rt_[0-9a-f]{32}$/);
      expect(sandbox.currentToken(DEMO)).toBe(body.access_token);
    });

    it('issues JWT-shaped tokens of exactly tokenLength characters, at least 512 by default', async () => {
      await start({ tokenTtlSeconds: 3 });
      const { access_token: token } = await fetchToken(base);
      expect(token).toHaveLength(600);
      const parts = token.split('.');
      expect(parts).toHaveLength(3);
      for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(JSON.parse(Buffer.from(parts[0], 'base64url').toString())).toEqual({
        alg: 'HS256',
        typ: 'JWT',
      });
      const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
      expect(payload).toEqual({
        domain_id: expect.any(String),
        appid: DEMO,
        dispatch: expect.any(String),
        expires_in: T0 / 1000 + 3,
        jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      });

      const long = new QingtuiSandbox({ tokenLength: 1024 });
      const longBase = await long.start();
      try {
        expect((await fetchToken(longBase)).access_token).toHaveLength(1024);
      } finally {
        await long.stop();
      }
    });

    it('refuses a tokenLength too short for the claims', () => {
      expect(() => new QingtuiSandbox({ tokenLength: 100 })).toThrow(RangeError);
    });

    it('answers 45009 to a second call within the default 2 s, per app', async () => {
      sandbox = new QingtuiSandbox({
        apps: [SANDBOX_DEMO_APP, { appId: 'other', appSecret: 'other-secret' }],
      });
      base = await sandbox.start();
      await fetchToken(base);
      const second = await getJson(tokenUrl(base));
      expect(second.body.errcode).toBe(45009);
      expect(second.body.errmsg).toContain('2000 ms');
      // Another app has its own window.
      expect((await fetchToken(base, 'other', 'other-secret')).access_token).toBeTypeOf('string');
    });

    it('by default, a call refused by the spacing rule leaves the window where it was (seed 000)', async () => {
      await start({ tokenIntervalMs: 200 });
      await fetchToken(base);
      clock += 150;
      expect((await getJson(tokenUrl(base))).body.errcode).toBe(45009);
      clock += 50; // 200 ms after the grant, 50 ms after the refused call
      expect((await getJson(tokenUrl(base))).body.access_token).toBeTypeOf('string');
    });

    it('with tokenIntervalRefusalsRestart, counts every attempt that passed the credential check', async () => {
      await start({ tokenIntervalMs: 200, tokenIntervalRefusalsRestart: true });
      await fetchToken(base);
      clock += 150;
      expect((await getJson(tokenUrl(base))).body.errcode).toBe(45009);
      clock += 150; // 300 ms after the grant, but only 150 ms after the rejected attempt
      expect((await getJson(tokenUrl(base))).body.errcode).toBe(45009);
      clock += 200;
      expect((await getJson(tokenUrl(base))).body.access_token).toBeTypeOf('string');
      // Attempts with a wrong secret do not touch the window.
      clock += 200;
      expect((await getJson(tokenUrl(base, DEMO, 'wrong'))).body.errcode).toBe(40401);
      expect((await getJson(tokenUrl(base))).body.access_token).toBeTypeOf('string');
    });

    it('keeps older access tokens valid until their own expiry', async () => {
      await start({ tokenTtlSeconds: 10, tokenIntervalMs: 0 });
      const first = await fetchToken(base);
      clock += 4000;
      const second = await fetchToken(base);
      expect(await tokenErrcode(base, first.access_token)).toBe(0);
      expect(await tokenErrcode(base, second.access_token)).toBe(0);
      clock += 6000; // first is 10 s old
      expect(await tokenErrcode(base, first.access_token)).toBe(42001);
      expect(await tokenErrcode(base, second.access_token)).toBe(0);
    });

    it('with overlapSeconds, kills older tokens that long after a newer one is issued', async () => {
      await start({ tokenTtlSeconds: 100, tokenIntervalMs: 0, overlapSeconds: 5 });
      const first = await fetchToken(base);
      clock += 1000;
      const second = await fetchToken(base);
      clock += 4999;
      expect(await tokenErrcode(base, first.access_token)).toBe(0);
      clock += 1;
      expect(await tokenErrcode(base, first.access_token)).toBe(40014);
      expect(await tokenErrcode(base, second.access_token)).toBe(0);
      // A refresh issues a newer token too.
      const refreshed = (await getJson(refreshUrl(base, second.refresh_token))).body;
      clock += 5000;
      expect(await tokenErrcode(base, second.access_token)).toBe(40014);
      expect(await tokenErrcode(base, refreshed.access_token)).toBe(0);
      expect(sandbox.isTokenValid(first.access_token)).toBe(false);
    });
  });

  describe('GET /auth/autoRefreshToken', () => {
    it('answers 41003 without a refresh_token and 40402 for an unknown one', async () => {
      await start();
      expect((await getJson(`${base}/auth/autoRefreshToken`)).body.errcode).toBe(41003);
      expect((await getJson(refreshUrl(base, 'rt_nope'))).body).toEqual({
        errcode: 40402,
        errmsg: 'invalid token',
      });
    });

    it('grants a new access_token, reusably and without the 2 s rule', async () => {
      await start({ tokenTtlSeconds: 3 });
      const grant = await fetchToken(base);
      const first = await getJson(refreshUrl(base, grant.refresh_token));
      const second = await getJson(refreshUrl(base, grant.refresh_token));
      expect(Object.keys(first.body).sort()).toEqual(['access_token', 'expires_in']);
      expect(first.body.expires_in).toBe(3);
      expect(second.body.access_token).not.toBe(first.body.access_token);
      expect(sandbox.currentToken(DEMO)).toBe(second.body.access_token);
      for (const token of [grant.access_token, first.body.access_token, second.body.access_token]) {
        expect(await tokenErrcode(base, token)).toBe(0);
      }
    });

    it('kills the refresh_token as soon as /v1/token is called again, but not the tokens it issued', async () => {
      await start({ tokenIntervalMs: 0 });
      const grant = await fetchToken(base);
      const refreshed = (await getJson(refreshUrl(base, grant.refresh_token))).body;
      const next = await fetchToken(base);
      expect((await getJson(refreshUrl(base, grant.refresh_token))).body.errcode).toBe(40402);
      expect((await getJson(refreshUrl(base, next.refresh_token))).body.access_token).toBeTypeOf(
        'string',
      );
      expect(await tokenErrcode(base, refreshed.access_token)).toBe(0);
    });

    it('rejects a refresh_token after refreshTokenTtlSeconds', async () => {
      await start({ refreshTokenTtlSeconds: 60 });
      const grant = await fetchToken(base);
      clock += 59_999;
      expect((await getJson(refreshUrl(base, grant.refresh_token))).body.access_token).toBeTypeOf(
        'string',
      );
      clock += 1;
      expect((await getJson(refreshUrl(base, grant.refresh_token))).body.errcode).toBe(40402);
    });

    it('rejects refresh tokens killed by killRefreshTokens()', async () => {
      await start();
      const grant = await fetchToken(base);
      sandbox.killRefreshTokens(DEMO);
      expect((await getJson(refreshUrl(base, grant.refresh_token))).body.errcode).toBe(40402);
      expect(await tokenErrcode(base, grant.access_token)).toBe(0);
      expect(() => sandbox.killRefreshTokens('nope')).toThrow(RangeError);
    });
  });

  describe('access tokens on API calls', () => {
    it('answers 41001 when missing, 40014 when unknown or tampered, and accepts accessToken too', async () => {
      await start();
      const { access_token: token } = await fetchToken(base);
      expect((await getJson(`${base}/v1/app/followers`)).body).toEqual({
        errcode: 41001,
        errmsg: 'access_token missing',
      });
      expect(await tokenErrcode(base, 'not-a-token')).toBe(40014);
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect(await tokenErrcode(base, tampered)).toBe(40014);
      const [header, payload, signature] = token.split('.');
      const forged = `${header}.${payload}.${'x'.repeat(10)}${signature.slice(10)}`;
      expect(await tokenErrcode(base, forged)).toBe(40014);
      const camel = await getJson(
        `${base}/team/member/openid/get?accessToken=${token}&accountId=alice`,
      );
      expect(camel.body).toEqual({ errcode: 0, errmsg: 'ok', open_id: 'openid-alice' });
    });

    it('answers 42001 once a token expires (ttl 3 s)', async () => {
      await start({ tokenTtlSeconds: 3 });
      const { access_token: token } = await fetchToken(base);
      clock += 2999;
      expect(await tokenErrcode(base, token)).toBe(0);
      expect(sandbox.isTokenValid(token)).toBe(true);
      clock += 1;
      expect((await getJson(`${base}/v1/app/followers?access_token=${token}`)).body).toEqual({
        errcode: 42001,
        errmsg: 'access_token expired',
      });
      expect(sandbox.isTokenValid(token)).toBe(false);
    });

    it('answers 40014 to revoked tokens, of one app or of all', async () => {
      sandbox = new QingtuiSandbox({
        apps: [SANDBOX_DEMO_APP, { appId: 'other', appSecret: 'other-secret' }],
      });
      base = await sandbox.start();
      const demo = await fetchToken(base);
      const other = await fetchToken(base, 'other', 'other-secret');
      sandbox.revokeTokens(DEMO);
      expect(await tokenErrcode(base, demo.access_token)).toBe(40014);
      expect(await tokenErrcode(base, other.access_token)).toBe(0);
      sandbox.revokeTokens();
      expect(await tokenErrcode(base, other.access_token)).toBe(40014);
      // The refresh_token survives revocation and issues a working token.
      const refreshed = (await getJson(refreshUrl(base, demo.refresh_token))).body;
      expect(await tokenErrcode(base, refreshed.access_token)).toBe(0);
      expect(() => sandbox.revokeTokens('nope')).toThrow(RangeError);
    });

    it('forgets every token on reset()', async () => {
      await start();
      const grant = await fetchToken(base);
      sandbox.reset();
      expect(await tokenErrcode(base, grant.access_token)).toBe(40014);
      expect((await getJson(refreshUrl(base, grant.refresh_token))).body.errcode).toBe(40402);
      expect(sandbox.currentToken(DEMO)).toBeUndefined();
      // The 2 s window is forgotten too.
      expect((await fetchToken(base)).access_token).toBeTypeOf('string');
    });
  });
});
