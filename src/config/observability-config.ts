import type { LogLevel } from '@nestjs/common';
import { MIN_API_KEY_LENGTH } from '../auth/api-keys.parser.js';
import { digestKey } from '../auth/key-digest.js';
import { ConfigValidationError } from './config-validation.error.js';

/** `LOG_LEVEL`: the least severe level written. `info` is an alias of Nest's `log`. */
export const LOG_LEVELS = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] as const;
export type ServerLogLevel = (typeof LOG_LEVELS)[number];
/** `LOG_FORMAT`: one JSON object per line, or lines for people. */
export type LogFormat = 'json' | 'pretty';

export const DEFAULT_LOG_LEVEL: ServerLogLevel = 'log';
export const DEFAULT_LOG_FORMAT: LogFormat = 'pretty';

/** The levels Nest writes for a `LOG_LEVEL` threshold. */
export function logLevelsFrom(level: ServerLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(level));
}

/** Parses `LOG_LEVEL` and `LOG_FORMAT` (trimmed, case-insensitive). */
export function loggingConfig(level: string | undefined, format: string | undefined) {
  return { level: logLevel(level), format: logFormat(format) };
}

function logLevel(value: string | undefined): ServerLogLevel {
  if (value === undefined) return DEFAULT_LOG_LEVEL;
  const name = value.toLowerCase() === 'info' ? 'log' : value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(name)) {
    throw new ConfigValidationError(
      'LOG_LEVEL',
      `must be one of ${LOG_LEVELS.join(', ')} (or info, the same as log); got "${value.slice(0, 20)}"`,
    );
  }
  return name as ServerLogLevel;
}

function logFormat(value: string | undefined): LogFormat {
  if (value === undefined) return DEFAULT_LOG_FORMAT;
  const name = value.toLowerCase();
  if (name !== 'json' && name !== 'pretty') {
    throw new ConfigValidationError(
      'LOG_FORMAT',
      `must be json or pretty; got "${value.slice(0, 20)}"`,
    );
  }
  return name;
}

const KEY_CHARS = /^[A-Za-z0-9._~+/=-]+$/;

/**
 * `METRICS_KEY`: when set, `GET /metrics` needs `Authorization: Bearer <METRICS_KEY>`. Kept as
 * its SHA-256 only; never echoed.
 */
export function metricsKeyDigest(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  if (value.length < MIN_API_KEY_LENGTH || value.length > 512 || !KEY_CHARS.test(value)) {
    throw new ConfigValidationError(
      'METRICS_KEY',
      `must be ${MIN_API_KEY_LENGTH}–512 characters of A-Za-z0-9._~+/=- (it is ${value.length} characters long)`,
    );
  }
  return digestKey(value);
}

/** `QINGTUI_SANDBOX_TOKEN_TTL`: lifetime of the embedded sandbox's tokens, in seconds. */
export function sandboxTokenTtl(value: string | undefined, sandbox: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!sandbox) {
    throw new ConfigValidationError(
      'QINGTUI_SANDBOX_TOKEN_TTL',
      'only applies to the embedded sandbox (no app configured): unset it',
    );
  }
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 2 || n > 86_400) {
    throw new ConfigValidationError(
      'QINGTUI_SANDBOX_TOKEN_TTL',
      `must be an integer between 2 and 86400 (seconds); got "${value.slice(0, 20)}"`,
    );
  }
  return n;
}
