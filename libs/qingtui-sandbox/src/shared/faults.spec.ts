import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../sandbox.js';
import { SANDBOX_DEMO_APP } from '../sandbox.options.js';
import { apiUrl, fetchToken, getJson, postJson, tokenUrl } from '../testing/http-helpers.js';

const DEMO = SANDBOX_DEMO_APP.appId;
const TEXT_SINGLE = '/v1/message/text/send/single';
const ALICE_HELLO = { to_user: 'openid-alice', message: { content: 'hello' } };

/** The error a fetch rejects with: its cause's code (ECONNRESET...) or its name (TimeoutError). */
async function failure(request: Promise<Response>): Promise<string> {
  try {
    await request;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).name;
  }
  throw new Error('the request did not fail');
}

describe('faults', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let token: string;

  const sendText = () =>
    fetch(apiUrl(base, TEXT_SINGLE, token), { method: 'POST', body: JSON.stringify(ALICE_HELLO) });

  beforeEach(async () => {
    sandbox = new QingtuiSandbox({ tokenIntervalMs: 0 });
    base = await sandbox.start();
    token = (await fetchToken(base)).access_token;
    sandbox.resetCounters();
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('latency: answers normally after the delay', async () => {
    sandbox.addFault({ kind: 'latency', ms: 150, times: 1 });
    const started = performance.now();
    const { body } = await getJson(tokenUrl(base));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(body.access_token).toBeTypeOf('string');
    expect(sandbox.counters().total).toMatchObject({ tokenCalls: 1, tokenGrants: 1 });
  });

  it('http500: answers HTTP 500 without acting, and still counts the call', async () => {
    sandbox.addFault({ kind: 'http500', path: '/v1/token' });
    const response = await fetch(tokenUrl(base));
    expect(response.status).toBe(500);
    // Counted as a call, but neither granted nor charged (the beforeEach grant used 1).
    expect(sandbox.counters().apps[DEMO]).toMatchObject({
      tokenCalls: 1,
      tokenGrants: 0,
      quotaUsedToday: 1,
    });
  });

  it('garbage: answers HTTP 200 with a body that is not JSON', async () => {
    sandbox.addFault({ kind: 'garbage', path: /^\/v1\/message\//, times: 1 });
    const response = await sendText();
    expect(response.status).toBe(200);
    await expect(response.clone().json()).rejects.toThrow();
    expect(await response.text()).toContain('<html>');
    expect(sandbox.deliveries()).toHaveLength(0);
    expect(sandbox.counters().total.apiCalls).toBe(1);
  });

  it('errcode: answers the given errcode, by default -1 system busy', async () => {
    sandbox.addFault({ kind: 'errcode', errcode: 40014, errmsg: 'invalid access_token', times: 1 });
    sandbox.addFault({ kind: 'errcode', times: 1 });
    expect((await postJson(apiUrl(base, TEXT_SINGLE, token), ALICE_HELLO)).body).toEqual({
      errcode: 40014,
      errmsg: 'invalid access_token',
    });
    expect((await getJson(tokenUrl(base))).body).toEqual({ errcode: -1, errmsg: 'system busy' });
    expect(sandbox.counters().total).toMatchObject({
      tokenCalls: 1,
      tokenGrants: 0,
      tokenRejected: {},
      apiCalls: 1,
    });
  });

  it('reset: destroys the socket before acting', async () => {
    sandbox.addFault({ kind: 'reset', path: TEXT_SINGLE, times: 1 });
    expect(await failure(sendText())).toBe('ECONNRESET');
    expect(sandbox.deliveries()).toHaveLength(0);
    expect(sandbox.counters().total.apiCalls).toBe(1);
    // Used once, then gone.
    expect((await sendText()).status).toBe(200);
    expect(sandbox.deliveries()).toHaveLength(1);
  });

  it('reset after handling: the message is delivered but the client sees a reset', async () => {
    sandbox.addFault({ kind: 'reset', path: TEXT_SINGLE, afterHandling: true });
    expect(await failure(sendText())).toBe('ECONNRESET');
    expect(sandbox.deliveries()).toHaveLength(1);
    expect(sandbox.counters().total).toMatchObject({ apiCalls: 1, deliveries: 1 });
  });

  it('hang: never answers, and stop() still returns promptly', async () => {
    sandbox.addFault({ kind: 'hang', path: TEXT_SINGLE });
    const withTimeout = fetch(apiUrl(base, TEXT_SINGLE, token), {
      method: 'POST',
      body: JSON.stringify(ALICE_HELLO),
      signal: AbortSignal.timeout(150),
    });
    expect(await failure(withTimeout)).toBe('TimeoutError');

    const stuck = failure(sendText()); // no timeout: only stop() can end it
    while (sandbox.counters().total.apiCalls < 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const started = performance.now();
    await sandbox.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await stuck).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(sandbox.deliveries()).toHaveLength(0);
  });

  it('hang after handling: the token is issued but never answered', async () => {
    sandbox.addFault({ kind: 'hang', path: '/v1/token', afterHandling: true, times: 1 });
    const before = sandbox.currentToken(DEMO);
    expect(await failure(fetch(tokenUrl(base), { signal: AbortSignal.timeout(150) }))).toBe(
      'TimeoutError',
    );
    expect(sandbox.currentToken(DEMO)).not.toBe(before);
    expect(sandbox.counters().total).toMatchObject({ tokenCalls: 1, tokenGrants: 1 });
  });

  it('latency after handling: the message is delivered before the answer', async () => {
    sandbox.addFault({ kind: 'latency', ms: 300, afterHandling: true, path: TEXT_SINGLE });
    const pending = sendText();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sandbox.deliveries()).toHaveLength(1);
    expect((await pending).status).toBe(200);
  });

  it('applies only the first matching fault, matches exact string paths, and can be cleared', async () => {
    sandbox.addFault({ kind: 'errcode', errcode: 1, path: '/v1/tok' });
    sandbox.addFault({ kind: 'errcode', errcode: 2, path: /token/ });
    sandbox.addFault({ kind: 'errcode', errcode: 3 });
    expect((await getJson(tokenUrl(base))).body.errcode).toBe(2);
    expect((await getJson(apiUrl(base, '/v1/app/followers', token))).body.errcode).toBe(3);
    sandbox.clearFaults();
    expect((await getJson(apiUrl(base, '/v1/app/followers', token))).body.errcode).toBe(0);
  });

  it('never faults the control API', async () => {
    sandbox.addFault({ kind: 'http500' });
    expect((await getJson(`${base}/__sandbox/state`)).status).toBe(200);
  });

  it('refuses malformed faults', () => {
    expect(() => sandbox.addFault({ kind: 'explode' as 'hang' })).toThrow(TypeError);
    expect(() => sandbox.addFault({ kind: 'latency', ms: -1 })).toThrow(RangeError);
    expect(() => sandbox.addFault({ kind: 'reset', times: 0 })).toThrow(RangeError);
  });
});
