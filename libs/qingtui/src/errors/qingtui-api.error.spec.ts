import { describe, expect, it } from 'vitest';
import { QingtuiApiError } from './qingtui-api.error.js';

describe('QingtuiApiError factories', () => {
  it('platform(): keeps the errcode and errmsg, names the platform', () => {
    const e = QingtuiApiError.platform({
      kind: 'credential',
      errcode: 40001,
      errmsg: 'invalid credential',
      endpoint: '/cgi-bin/token',
      status: 200,
      platform: 'WeChat',
    });
    expect(e).toMatchObject({
      name: 'QingtuiApiError',
      kind: 'credential',
      errcode: 40001,
      errmsg: 'invalid credential',
      endpoint: '/cgi-bin/token',
      status: 200,
      maybeProcessed: true,
      retryAfterMs: undefined,
      platform: 'WeChat',
      retryable: false,
      message: 'WeChat /cgi-bin/token answered errcode 40001: invalid credential',
    });
  });

  it('transport(): transient by default, Qingtui by default, maybeProcessed as told', () => {
    const e = QingtuiApiError.transport({
      errmsg: 'network error ECONNREFUSED',
      endpoint: '/v1/token',
      maybeProcessed: false,
    });
    expect(e).toMatchObject({
      kind: 'transient',
      errcode: undefined,
      maybeProcessed: false,
      platform: 'Qingtui',
      retryable: true,
      message: 'Qingtui /v1/token failed: network error ECONNREFUSED',
    });
    expect(
      QingtuiApiError.transport({ errmsg: 'HTTP 502', endpoint: '/x', status: 502 }),
    ).toMatchObject({ status: 502, maybeProcessed: true });
  });

  it('heldBack(): nothing sent, with when to come back and the errcode of the cause', () => {
    const e = QingtuiApiError.heldBack({
      kind: 'quota',
      errmsg: 'daily call quota used up',
      endpoint: 'quota',
      retryAfterMs: 5_000,
      errcode: 45009,
      platform: 'WeCom',
    });
    expect(e).toMatchObject({
      kind: 'quota',
      errcode: 45009,
      maybeProcessed: false,
      retryAfterMs: 5_000,
      platform: 'WeCom',
    });
  });

  it('local(): no errcode; maybeProcessed true unless told', () => {
    expect(
      QingtuiApiError.local({
        kind: 'request',
        errmsg: 'unexpected answer: no msg_id',
        endpoint: '/v1/x',
      }),
    ).toMatchObject({
      kind: 'request',
      errcode: undefined,
      maybeProcessed: true,
      retryable: false,
    });
    expect(
      QingtuiApiError.local({
        kind: 'transient',
        errmsg: 'wait ran out',
        endpoint: 'lock',
        maybeProcessed: false,
      }),
    ).toMatchObject({ maybeProcessed: false });
  });
});
