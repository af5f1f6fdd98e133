import { describe, expect, it } from 'vitest';
import { appKey, credentialKeys, tokenKey } from './store-keys.js';

/** The part of a key Redis Cluster hashes: the first `{…}` with something inside, else the key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('store keys', () => {
  const app = { keyNamespace: 'wecom', appId: 'corp1/1000002' };

  it('are prefix:{namespace:identity}:kind', () => {
    expect(tokenKey('p', 'qingtui', 'app-1', 'token')).toBe('p:{qingtui:app-1}:token');
    expect(appKey('p', app, 'lock')).toBe('p:{wecom:corp1/1000002}:lock');
    expect(credentialKeys('p', app, 'ticket:jsapi').probe('fresh', 3)).toBe(
      'p:{wecom:corp1/1000002}:kind:ticket:jsapi:probe:fresh:3',
    );
    const token = credentialKeys('p', app, 'token');
    expect([token.record, token.lock, token.probe('stale', 12)]).toEqual([
      'p:{wecom:corp1/1000002}:token',
      'p:{wecom:corp1/1000002}:lock',
      'p:{wecom:corp1/1000002}:probe:stale:12',
    ]);
  });

  it('put every key of one app in one cluster slot, and two apps in two', () => {
    const kinds = ['token', 'lock', 'token-call', 'force-call', 'calls:2026-01-01#1'] as const;
    for (const appId of ['plain', 'with}brace', 'with{brace', '}', 'a:b/c']) {
      const a = { keyNamespace: 'qingtui', appId };
      const keys = [
        ...kinds.map((kind) => appKey('qingtui', a, kind)),
        ...Object.values(credentialKeys('qingtui', a, 'ticket:jsapi')).filter(
          (v): v is string => typeof v === 'string',
        ),
        credentialKeys('qingtui', a, 'token').probe('stale', 1),
      ];
      expect(new Set(keys.map(hashedPart)).size, appId).toBe(1);
    }
    expect(hashedPart(appKey('q', { keyNamespace: 'qingtui', appId: 'x' }, 'token'))).not.toBe(
      hashedPart(appKey('q', { keyNamespace: 'qingtui', appId: 'y' }, 'token')),
    );
  });
});
