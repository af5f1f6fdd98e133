import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from './sandbox.js';
import { SANDBOX_DEMO_APP } from './sandbox.options.js';
import {
  apiUrl,
  fetchToken,
  getJson,
  postJson,
  refreshUrl,
  tokenErrcode,
  tokenUrl,
} from './testing/http-helpers.js';
import { wechatToken, wechatTokenUrl } from './testing/wechat-mp-helpers.js';
import { wecomToken } from './testing/wecom-helpers.js';

const DEMO = SANDBOX_DEMO_APP.appId;

describe('HTTP control API', () => {
  let sandbox: QingtuiSandbox;
  let base: string;

  const control = (path: string, body?: unknown) => postJson(`${base}/__sandbox/${path}`, body);
  const sendHello = (token: string) =>
    postJson(apiUrl(base, '/v1/message/text/send/single', token), {
      to_user: 'openid-bob',
      message: { content: 'hi' },
    });

  beforeEach(async () => {
    sandbox = new QingtuiSandbox({
      tokenIntervalMs: 0,
      apps: [
        SANDBOX_DEMO_APP,
        { appId: 'other', appSecret: 'other-secret', followers: ['openid-bob'] },
      ],
    });
    base = await sandbox.start();
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('GET /__sandbox/state: counters and the number of deliveries, without counting itself', async () => {
    const { access_token: token } = await fetchToken(base);
    await sendHello(token);
    const { status, body } = await getJson(`${base}/__sandbox/state`);
    expect(status).toBe(200);
    expect(body).toEqual({
      counters: sandbox.counters(),
      deliveries: 1,
      pushDeliveries: 0,
      drops: 0,
    });
    expect(body.counters.apps[DEMO]).toMatchObject({ tokenCalls: 1, apiCalls: 1, deliveries: 1 });
  });

  it('GET /__sandbox/deliveries: all, or of one app', async () => {
    await sendHello((await fetchToken(base)).access_token);
    await sendHello((await fetchToken(base, 'other', 'other-secret')).access_token);
    const all = (await getJson(`${base}/__sandbox/deliveries`)).body.deliveries;
    expect(all.map((d: { appId: string }) => d.appId)).toEqual([DEMO, 'other']);
    const other = (await getJson(`${base}/__sandbox/deliveries?app=other`)).body.deliveries;
    expect(other).toEqual(JSON.parse(JSON.stringify(sandbox.deliveries('other'))));
  });

  it('POST /__sandbox/revoke and /kill-refresh-tokens, for one app or all', async () => {
    const demo = await fetchToken(base);
    const other = await fetchToken(base, 'other', 'other-secret');
    expect((await control('revoke', { appId: DEMO })).body).toEqual({ ok: true });
    expect(await tokenErrcode(base, demo.access_token)).toBe(40014);
    expect(await tokenErrcode(base, other.access_token)).toBe(0);
    await control('revoke');
    expect(await tokenErrcode(base, other.access_token)).toBe(40014);

    await control('kill-refresh-tokens', { appId: 'other' });
    expect((await getJson(refreshUrl(base, other.refresh_token))).body.errcode).toBe(40402);
    expect((await getJson(refreshUrl(base, demo.refresh_token))).body.access_token).toBeTypeOf(
      'string',
    );
    await control('kill-refresh-tokens', {});
    expect((await getJson(refreshUrl(base, demo.refresh_token))).body.errcode).toBe(40402);
  });

  it('POST and DELETE /__sandbox/faults, with exact paths and patterns', async () => {
    expect(
      (await control('faults', { kind: 'errcode', errcode: 45009, path: '/v1/token', times: 1 }))
        .status,
    ).toBe(200);
    expect((await getJson(tokenUrl(base))).body.errcode).toBe(45009);
    const { access_token: token } = await fetchToken(base);

    await control('faults', { kind: 'http500', pathPattern: '^/v1/message/' });
    expect((await sendHello(token)).status).toBe(500);
    expect((await fetch(`${base}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await sendHello(token)).body.errcode).toBe(0);
  });

  it('POST /__sandbox/reset and /reset-counters', async () => {
    const grant = await fetchToken(base);
    await sendHello(grant.access_token);
    await control('reset-counters');
    expect(sandbox.counters().total.tokenCalls).toBe(0);
    expect(sandbox.deliveries()).toHaveLength(1);
    await control('reset');
    expect(sandbox.deliveries()).toHaveLength(0);
    expect(await tokenErrcode(base, grant.access_token)).toBe(40014);
  });

  it('GET /__sandbox/state counts every platform, by app and by platform', async () => {
    await fetchToken(base);
    await wechatToken(base);
    await wecomToken(base);
    const { counters } = (await getJson(`${base}/__sandbox/state`)).body;
    expect(Object.keys(counters.apps)).toEqual([
      DEMO,
      'other',
      'wx-demo-app-id',
      'ww-demo-corp-id/1000002',
    ]);
    expect(counters.apps['wx-demo-app-id']).toMatchObject({ tokenCalls: 1, grants: 1 });
    expect(counters.apps['ww-demo-corp-id/1000002']).toMatchObject({ tokenCalls: 1, grants: 1 });
    expect(counters.platforms.qingtui).toMatchObject({ tokenCalls: 1, grants: 1 });
    expect(counters.total).toMatchObject({ tokenCalls: 3, grants: 3 });
  });

  it('POST /__sandbox/revoke without an app revokes the tokens of every platform', async () => {
    const tokens = [
      (await fetchToken(base)).access_token,
      (await wechatToken(base)).access_token,
      (await wecomToken(base)).body.access_token,
    ];
    await control('revoke');
    expect(tokens.map((token) => sandbox.isTokenValid(token))).toEqual([false, false, false]);
  });

  it('POST /__sandbox/token-refusal sets and clears a refusal; 400 for what cannot be refused', async () => {
    expect(
      (await control('token-refusal', { appId: 'wx-demo-app-id', errcode: 40164 })).status,
    ).toBe(200);
    expect((await getJson(wechatTokenUrl(base))).body.errcode).toBe(40164);
    await control('token-refusal', { appId: 'wx-demo-app-id', errcode: null });
    expect((await getJson(wechatTokenUrl(base))).body.access_token).toBeTypeOf('string');

    const bad = async (body: unknown) => {
      const answer = await control('token-refusal', body);
      expect(answer.status).toBe(400);
      return answer.body.error as string;
    };
    expect(await bad({ appId: 'wx-demo-app-id', errcode: 12345 })).toContain('40164');
    expect(await bad({ appId: 'wx-demo-app-id', errcode: 60020 })).toContain('60020');
    expect(await bad({ corpId: 'ww-demo-corp-id', agentId: 1000002, errcode: 40164 })).toContain(
      '60020',
    );
    expect(await bad({ appId: DEMO, errcode: -1 })).toContain('Qingtui');
    expect(await bad({ appId: 'ghost', errcode: -1 })).toContain('ghost');
    expect(await bad({ errcode: -1 })).toContain('appId');
    expect(await bad({ appId: 'wx-demo-app-id' })).toContain('errcode');
    expect(await bad({ appId: 'wx-demo-app-id', corpId: 'c', agentId: 1, errcode: -1 })).toContain(
      'either',
    );
  });

  it('answers 400 to bad requests and 404 to unknown control paths', async () => {
    expect((await control('revoke', { appId: 'ghost' })).status).toBe(400);
    expect((await control('revoke', { appId: 7 })).status).toBe(400);
    expect((await control('revoke', '[1]')).status).toBe(400);
    expect((await control('kill-refresh-tokens', { appId: 'wx-demo-app-id' })).status).toBe(400);
    expect((await control('revoke', { corpId: 'ww-demo-corp-id', agentId: 9 })).status).toBe(400);
    const badFault = await control('faults', { kind: 'meteor' });
    expect(badFault.status).toBe(400);
    expect(badFault.body.error).toContain('kind');
    expect((await control('faults', { kind: 'reset', pathPattern: '(' })).status).toBe(400);
    expect((await getJson(`${base}/__sandbox/nothing`)).status).toBe(404);
    expect(sandbox.counters().total).toMatchObject({ tokenCalls: 0, apiCalls: 0 });
  });
});
