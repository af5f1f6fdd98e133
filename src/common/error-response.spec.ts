import { QingtuiApiError, type QingtuiErrorKind } from 'nestjs-qingtui';
import { describe, expect, it } from 'vitest';
import { errorAnswer } from './error-response.js';
import { msToNextBeijingDay, retryAfterSeconds } from './retry-after.js';

const apiError = (kind: QingtuiErrorKind, retryAfterMs?: number, errcode = 45009) =>
  new QingtuiApiError(kind, errcode, 'platform says no', '/v1/token', 200, true, retryAfterMs);

describe('errorAnswer for platform errors', () => {
  it('answers 502 with Retry-After while refused credentials are held back', () => {
    const answer = errorAnswer(apiError('credential', 12_001, 40401));
    expect(answer.status).toBe(502);
    expect(answer.headers).toEqual({ 'Retry-After': '13' });
    expect(answer.body).toMatchObject({
      statusCode: 502,
      errcode: 40401,
      errmsg: 'platform says no',
    });
    expect(answer.log).toBe('debug');
  });

  it('answers 503 with Retry-After (seconds, rounded up) when the library holds calls back', () => {
    for (const kind of ['transient', 'rate-limit', 'quota'] as const) {
      const answer = errorAnswer(apiError(kind, 12_001, 40401));
      expect(answer.status, kind).toBe(503);
      expect(answer.headers, kind).toEqual({ 'Retry-After': '13' });
      expect(answer.body, kind).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        errcode: 40401,
        errmsg: 'platform says no',
        message: `Calls to the Qingtui platform are held back after failures (${kind}); retry in 13 s`,
      });
    }
    expect(errorAnswer(apiError('transient', 1)).headers).toEqual({ 'Retry-After': '1' });
    expect(errorAnswer(apiError('transient', 0)).headers).toEqual({ 'Retry-After': '1' });
  });

  it('answers 503 with a default Retry-After for rate limits, outages and exhausted quotas', () => {
    expect(errorAnswer(apiError('rate-limit'))).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '2' },
      body: {
        errcode: 45009,
        message: 'The Qingtui platform asks to slow down (rate limit); retry in 2 s',
      },
    });
    expect(errorAnswer(apiError('transient', undefined, -1))).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '5' },
    });
    const quota = errorAnswer(apiError('quota', undefined, 45009));
    expect(quota.status).toBe(503);
    const seconds = Number(quota.headers!['Retry-After']);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(24 * 3600);
    expect(quota.body.message).toMatch(/daily Qingtui call quota is used up/);
  });

  it('answers 502 without Retry-After when retrying would not help', () => {
    for (const kind of ['credential', 'request', 'refresh-token', 'token-invalid'] as const) {
      const answer = errorAnswer(apiError(kind, undefined, 40401));
      expect(answer.status, kind).toBe(502);
      expect(answer.headers, kind).toBeUndefined();
      expect(answer.body, kind).toMatchObject({ errcode: 40401, errmsg: 'platform says no' });
    }
  });
});

describe('retryAfterSeconds for an exhausted quota', () => {
  it('waits until the next midnight in Beijing (UTC+8)', () => {
    // 2025-01-01 15:00 UTC is 23:00 in Beijing: one hour to go.
    const at = Date.UTC(2025, 0, 1, 15, 0, 0);
    expect(msToNextBeijingDay(at)).toBe(3600_000);
    expect(retryAfterSeconds(apiError('quota'), at)).toBe(3600);
    // 16:00 UTC is midnight in Beijing: a whole day.
    expect(msToNextBeijingDay(Date.UTC(2025, 0, 1, 16, 0, 0))).toBe(24 * 3600_000);
  });
});
