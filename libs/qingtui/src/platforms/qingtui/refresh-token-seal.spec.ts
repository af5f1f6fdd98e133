import { describe, expect, it } from 'vitest';
import { openRefreshToken, sealRefreshToken } from './refresh-token-seal.js';

describe('refresh_token sealing', () => {
  const refreshToken = 'rt-0123456789-abcdef';

  it('opens with the key and AppID it was sealed with, and never shows the token', () => {
    const sealed = sealRefreshToken(refreshToken, 'the-app-secret', 'app-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(refreshToken);
    expect(openRefreshToken(sealed, 'the-app-secret', 'app-1')).toBe(refreshToken);
  });

  it('cannot be opened with another key (a replaced AppSecret or encryptionKey) or for another app', () => {
    const sealed = sealRefreshToken(refreshToken, 'the-app-secret', 'app-1');
    expect(openRefreshToken(sealed, 'another-secret', 'app-1')).toBeUndefined();
    expect(openRefreshToken(sealed, 'the-app-secret', 'app-2')).toBeUndefined();
  });

  it('refuses a tampered or plain-text value', () => {
    const sealed = sealRefreshToken(refreshToken, 'the-app-secret', 'app-1');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(openRefreshToken(parts.join('.'), 'the-app-secret', 'app-1')).toBeUndefined();
    expect(openRefreshToken(refreshToken, 'the-app-secret', 'app-1')).toBeUndefined();
  });
});
