import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretRedactor } from './secret-redactor.js';
import { ServerLogger, type ServerLoggerOptions } from './server-logger.js';

const SECRET = 'secret-value-5a6b7c8d';
const ISO_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/;

/** Everything the logger writes to stdout and stderr while `run` runs. */
function written(
  options: Omit<ServerLoggerOptions, 'redactor'>,
  run: (logger: ServerLogger) => void,
): string[] {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    run(new ServerLogger({ ...options, redactor: new SecretRedactor([SECRET]) }));
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks.join('').split('\n').filter(Boolean);
}

afterEach(() => Logger.overrideLogger(false));

describe('ServerLogger', () => {
  it('json: one object per line, ISO time with its zone, the context, and the structured fields', () => {
    const lines = written({ level: 'log', format: 'json' }, (logger) => {
      logger.log('GET /apps/crm/token 200 1.2 ms', { method: 'GET', status: 200 }, 'HTTP');
      logger.warn('careful', 'Health');
    });
    const [access, warn] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(access)[0]).toBe('time');
    expect(access.time).toMatch(ISO_WITH_ZONE);
    expect(access).toMatchObject({
      level: 'log',
      context: 'HTTP',
      message: 'GET /apps/crm/token 200 1.2 ms',
      method: 'GET',
      status: 200,
    });
    expect(warn).toMatchObject({ level: 'warn', context: 'Health', message: 'careful' });
  });

  it('pretty: ISO time with its zone, the level and the context, the message alone', () => {
    const [colored] = written({ level: 'log', format: 'pretty' }, (logger) =>
      logger.log('GET /x 200 1 ms', { method: 'GET' }, 'HTTP'),
    );
    // eslint-disable-next-line no-control-regex
    const line = colored.replace(/\u001b\[[0-9;]*m/g, '');
    expect(line).toMatch(
      /^\[qingtui\] \d+ {2}- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d +LOG \[HTTP\] GET \/x 200 1 ms$/,
    );
  });

  it('writes the levels from LOG_LEVEL up', () => {
    const lines = written({ level: 'warn', format: 'json' }, (logger) => {
      logger.verbose('v');
      logger.debug('d');
      logger.log('l');
      logger.warn('w');
      logger.error('e');
      logger.fatal('f');
    });
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual([
      'w',
      'e',
      'f',
    ]);
    const all = written({ level: 'verbose', format: 'json' }, (logger) => {
      logger.verbose('v');
      logger.debug('d');
    });
    expect(all).toHaveLength(2);
  });

  it('redacts secrets in messages, fields, errors and stack traces, in both formats', () => {
    for (const format of ['json', 'pretty'] as const) {
      const lines = written({ level: 'log', format }, (logger) => {
        logger.log(
          `calling /v1/token?secret=${SECRET}`,
          { appSecret: SECRET, note: SECRET },
          'Ctx',
        );
        logger.error(`failed: ${SECRET}`, `Error: ${SECRET}\n    at x (y.js:1:1)`, 'Ctx');
        logger.error(new Error(`boom ${SECRET}`));
        logger.warn({ refresh_token: 'rt-1234567890', detail: `key ${SECRET}` }, 'Ctx');
      });
      const text = lines.join('\n');
      expect(text, format).not.toContain(SECRET);
      expect(text, format).not.toContain('rt-1234567890');
      expect(text, format).toContain('***');
    }
  });
});
