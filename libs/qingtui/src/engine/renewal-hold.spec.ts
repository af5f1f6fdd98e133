import { describe, expect, it } from 'vitest';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { holdAfter, retryDelayMs } from './renewal-hold.js';

const NOW = Date.UTC(2026, 11, 4, 10, 0, 0); // 18:00 in Beijing
const transient = QingtuiApiError.transport({
  errmsg: 'HTTP 500',
  endpoint: '/v1/token',
  status: 500,
});
const credential = QingtuiApiError.platform({
  kind: 'credential',
  errcode: 40125,
  errmsg: 'invalid appsecret',
  endpoint: '/cgi-bin/token',
});
const quota = QingtuiApiError.platform({
  kind: 'quota',
  errcode: 45009,
  errmsg: 'reach max api daily quota limit',
  endpoint: '/cgi-bin/token',
});
const middle = () => 0.5;

describe('holdAfter (pure: clock and randomness are arguments)', () => {
  it('backs refused credentials off from 30 s, doubling, up to an hour', () => {
    const delays = [1, 2, 3, 8, 20].map(
      (n) => holdAfter(credential, { failures: n, credentialFailures: n }, NOW, middle).delayMs,
    );
    expect(delays).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
    expect(holdAfter(credential, { failures: 1, credentialFailures: 1 }, NOW).reason).toBe(
      'credentials',
    );
  });

  it('holds a used-up quota until the next Beijing midnight', () => {
    const hold = holdAfter(quota, { failures: 1, credentialFailures: 0 }, NOW, middle);
    expect(hold).toEqual({ reason: 'quota', delayMs: 6 * 3_600_000 });
  });

  it('paces a living token at least 2 s apart, doubling, never past half of what is left', () => {
    const record = { issuedAt: NOW - 7_000_000, expiresAt: NOW + 40_000 };
    const at = (failures: number) =>
      holdAfter(transient, { record, failures, credentialFailures: 0 }, NOW, middle).delayMs;
    expect(at(1)).toBe(2_000);
    expect(at(2)).toBe(3_600);
    expect(at(3)).toBe(7_200);
    expect(at(10)).toBe(20_000); // half of the 40 s left
    // In its last second: still 2 s apart (no storm in a token's last moments).
    const last = { issuedAt: NOW - 7_199_000, expiresAt: NOW + 1_000 };
    expect(
      holdAfter(transient, { record: last, failures: 7, credentialFailures: 0 }, NOW).delayMs,
    ).toBe(2_000);
  });

  it('keeps a short-lived token (sandbox) retried before it expires: 5% of its life', () => {
    const record = { issuedAt: NOW - 5_000, expiresAt: NOW + 5_000 };
    expect(
      holdAfter(transient, { record, failures: 1, credentialFailures: 0 }, NOW, middle).delayMs,
    ).toBe(500);
  });

  it('without a valid token: 2 to 5 s, jittered, whatever the number of failures', () => {
    for (const failures of [1, 2, 5, 50]) {
      for (const random of [() => 0, () => 0.999]) {
        const { delayMs, reason } = holdAfter(
          transient,
          { failures, credentialFailures: 0 },
          NOW,
          random,
        );
        expect(reason).toBe('failure');
        expect(delayMs).toBeGreaterThanOrEqual(1_600);
        expect(delayMs).toBeLessThanOrEqual(5_000);
      }
    }
  });

  it('honours a longer hold the platform asks for (WeChat 89503: an hour)', () => {
    const hold = holdAfter(
      transient,
      { failures: 1, credentialFailures: 0, platformMinHoldMs: 3_600_000 },
      NOW,
      middle,
    );
    expect(hold.delayMs).toBe(3_600_000);
  });
});

describe('retryDelayMs', () => {
  const retry = { attempts: 3, baseDelayMs: 200, maxDelayMs: 1_000 };
  it('doubles from the base, capped, half jittered; rate limits wait at least 2 s', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, transient, retry, () => 1))).toEqual([
      200, 400, 800, 1_000,
    ]);
    expect(retryDelayMs(1, transient, retry, () => 0)).toBe(100);
    const limited = QingtuiApiError.platform({
      kind: 'rate-limit',
      errcode: 45011,
      errmsg: 'api minute-quota reach limit',
      endpoint: '/cgi-bin/token',
    });
    expect(retryDelayMs(1, limited, { ...retry, maxDelayMs: 10_000 }, () => 1)).toBe(2_000);
  });
});
