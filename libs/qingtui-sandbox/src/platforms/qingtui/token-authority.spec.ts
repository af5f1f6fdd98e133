import { describe, expect, it } from 'vitest';
import { resolveSandboxOptions, type SandboxOptions } from '../../sandbox.options.js';
import { TokenAuthority } from './token-authority.js';

const DEMO = 'demo-app-id';

function authority(options: SandboxOptions = {}): {
  tokens: TokenAuthority;
  tick: (ms: number) => void;
} {
  let clock = Date.UTC(2025, 0, 1);
  const tokens = new TokenAuthority(resolveSandboxOptions({ now: () => clock, ...options }));
  return { tokens, tick: (ms) => (clock += ms) };
}

describe('TokenAuthority', () => {
  it('judges missing, unknown, valid and expired tokens', () => {
    const { tokens, tick } = authority({ tokenTtlSeconds: 2 });
    const { access_token: token } = tokens.grantByCredentials(DEMO);
    expect(tokens.inspect(undefined)).toEqual({ state: 'missing' });
    expect(tokens.inspect('')).toEqual({ state: 'missing' });
    expect(tokens.inspect('a.b.c')).toEqual({ state: 'unknown' });
    expect(tokens.inspect(token)).toEqual({ state: 'valid', appId: DEMO });
    tick(2000);
    expect(tokens.inspect(token)).toEqual({ state: 'expired', appId: DEMO });
  });

  it('still answers "expired" for a token whose record was swept', () => {
    const { tokens, tick } = authority({ tokenTtlSeconds: 1 });
    const { access_token: old } = tokens.grantByCredentials(DEMO);
    tick(1000);
    // The sweep of forgotten records runs every 512 issues.
    for (let i = 0; i < 512; i++) tokens.grantByRefresh(DEMO);
    expect(tokens.inspect(old)).toEqual({ state: 'expired', appId: DEMO });
  });

  it('answers "invalid" for revoked tokens and "unknown" after a reset', () => {
    const { tokens } = authority();
    const { access_token: token } = tokens.grantByCredentials(DEMO);
    tokens.revokeAccessTokens(DEMO);
    expect(tokens.inspect(token)).toEqual({ state: 'invalid', appId: DEMO });
    tokens.reset();
    expect(tokens.inspect(token)).toEqual({ state: 'unknown' });
  });

  it('keeps one live refresh_token per app', () => {
    const { tokens } = authority();
    const first = tokens.grantByCredentials(DEMO).refresh_token;
    expect(tokens.usableRefreshToken(first)).toBe(DEMO);
    const second = tokens.grantByCredentials(DEMO).refresh_token;
    expect(tokens.usableRefreshToken(first)).toBeUndefined();
    expect(tokens.refreshTokenOwner(first)).toBeUndefined();
    expect(tokens.usableRefreshToken(second)).toBe(DEMO);
  });
});
