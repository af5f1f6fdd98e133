import { describe, expect, it } from 'vitest';
import { TokenLedger } from './token-ledger.js';

describe('TokenLedger', () => {
  function ledger(): { tokens: TokenLedger; tick: (ms: number) => void } {
    let clock = Date.UTC(2025, 0, 1);
    return { tokens: new TokenLedger(() => clock), tick: (ms) => (clock += ms) };
  }

  it('judges missing, forged, valid, killed and expired tokens', () => {
    const { tokens, tick } = ledger();
    const { token } = tokens.issue('app', 'classic', 1000);
    expect(token).toMatch(/^[\w-]{60,}$/);
    expect(tokens.inspect(undefined)).toEqual({ state: 'missing' });
    expect(tokens.inspect('')).toEqual({ state: 'missing' });
    expect(tokens.inspect('x'.repeat(80))).toEqual({ state: 'unknown' });
    expect(tokens.inspect(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toEqual({
      state: 'unknown',
    });
    expect(tokens.inspect(token)).toEqual({ state: 'valid', appKey: 'app' });
    tokens.kill(token, Date.UTC(2025, 0, 1) + 500);
    tick(499);
    expect(tokens.inspect(token).state).toBe('valid');
    tick(1);
    expect(tokens.inspect(token)).toEqual({ state: 'invalid', appKey: 'app' });
    tick(500);
    expect(tokens.inspect(token)).toEqual({ state: 'expired', appKey: 'app' });
  });

  it('kills by app and family, and forgets everything on reset', () => {
    const { tokens } = ledger();
    const a1 = tokens.issue('a', 'classic', 1000).token;
    const a2 = tokens.issue('a', 'stable', 1000).token;
    const b = tokens.issue('b', 'stable', 1000).token;
    tokens.killApp('a', 'stable');
    expect([a1, a2, b].map((t) => tokens.inspect(t).state)).toEqual(['valid', 'invalid', 'valid']);
    tokens.killApp(undefined);
    expect([a1, b].map((t) => tokens.inspect(t).state)).toEqual(['invalid', 'invalid']);
    tokens.reset();
    expect(tokens.inspect(a1)).toEqual({ state: 'unknown' });
  });

  it('does not recognise the tokens of another ledger (another platform)', () => {
    const { token } = ledger().tokens.issue('app', 'wecom', 1000);
    expect(ledger().tokens.inspect(token)).toEqual({ state: 'unknown' });
  });
});
