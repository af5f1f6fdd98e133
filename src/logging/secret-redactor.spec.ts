import { describe, expect, it } from 'vitest';
import { SecretRedactor } from './secret-redactor.js';

const APP_SECRET = 'app-secret-9f8e7d6c5b4a';
const CLIENT_KEY = 'client-key-0123456789abcdef';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('SecretRedactor', () => {
  const redactor = new SecretRedactor([APP_SECRET, CLIENT_KEY, undefined, 'short']);

  it('replaces configured secret values wherever they appear', () => {
    expect(redactor.scrub(`secret is ${APP_SECRET}, key=${CLIENT_KEY}.`)).toBe(
      'secret is ***, key=***.',
    );
  });

  it('ignores values too short to tell from ordinary words', () => {
    expect(redactor.scrub('a short answer')).toBe('a short answer');
  });

  it('replaces tokens and secrets in query strings, JSON, headers and URLs', () => {
    expect(
      redactor.scrub('GET /v1/token?grant_type=client_credential&appid=a1&secret=s3cr3t-value&x=1'),
    ).toBe('GET /v1/token?grant_type=client_credential&appid=a1&secret=***&x=1');
    expect(redactor.scrub('/cgi-bin/send?access_token=abc.def-123 failed')).toBe(
      '/cgi-bin/send?access_token=*** failed',
    );
    expect(redactor.scrub('{"refresh_token": "rt-0123456789", "errcode": 0}')).toBe(
      '{"refresh_token": "***", "errcode": 0}',
    );
    expect(redactor.scrub('header Authorization: Bearer some-unknown-key-1234567890')).toBe(
      'header Authorization: Bearer ***',
    );
    expect(redactor.scrub('connecting to redis://user:p%40ss@redis:6379/0')).toBe(
      'connecting to redis://***@redis:6379/0',
    );
    expect(redactor.scrub(`token ${JWT} rejected`)).toBe('token *** rejected');
  });

  it('keeps an allowed value (the development key of the sandbox banner)', () => {
    const own = new SecretRedactor([CLIENT_KEY]);
    own.allow('dev-abcdefghijklmnopqrstuvwxyz');
    expect(own.scrub("curl -H 'Authorization: Bearer dev-abcdefghijklmnopqrstuvwxyz'")).toBe(
      "curl -H 'Authorization: Bearer dev-abcdefghijklmnopqrstuvwxyz'",
    );
    own.allow(CLIENT_KEY);
    expect(own.scrub(`Bearer ${CLIENT_KEY}`)).toBe(`Bearer ${CLIENT_KEY}`);
  });

  it('learns secrets added later', () => {
    const own = new SecretRedactor();
    own.add('rotated-secret-000111');
    expect(own.scrub('now rotated-secret-000111')).toBe('now ***');
  });

  it('scrubs objects: strings anywhere, and the values of secret-named keys', () => {
    const value = redactor.scrubValue({
      app: 'crm',
      appSecret: 'anything',
      nested: [{ note: `uses ${APP_SECRET}`, refreshToken: 'x' }],
      count: 3,
    });
    expect(value).toEqual({
      app: 'crm',
      appSecret: '***',
      nested: [{ note: 'uses ***', refreshToken: '***' }],
      count: 3,
    });
  });

  it('scrubs errors into a copy, message, stack and own fields', () => {
    const error = Object.assign(new Error(`failed with ${APP_SECRET}`), {
      code: 'E1',
      password: 'x',
    });
    const copy = redactor.scrubValue(error) as Error & { code: string; password: string };
    expect(copy).toBeInstanceOf(Error);
    expect(copy.message).toBe('failed with ***');
    expect(copy.stack).not.toContain(APP_SECRET);
    expect(copy.code).toBe('E1');
    expect(copy.password).toBe('***');
    expect(error.message).toContain(APP_SECRET);
  });
});
