import { describe, expect, it } from 'vitest';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { parseRedisUrl } from './redis-url.js';

describe('REDIS_URL errors', () => {
  it('read correctly once redacted as in the logs (issue 13.6), and never hold the password', () => {
    const redactor = new SecretRedactor();
    const error = (() => {
      try {
        parseRedisUrl('redis://:pa#ss@127.0.0.1:6379');
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    const logged = redactor.scrub(error.message);
    expect(logged).toBe(error.message);
    expect(logged).toContain('redis://host[:port][/db]');
    expect(logged).not.toContain('***');
    expect(logged).not.toContain('pa#ss');
    // A real password in a URL is still redacted.
    expect(redactor.scrub('connecting to redis://:s3cr3t-pass@10.0.0.1:6379')).toBe(
      'connecting to redis://***@10.0.0.1:6379',
    );
  });
});
