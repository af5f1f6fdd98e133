import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import type {
  QingtuiAppConfig,
  QingtuiModuleOptions,
} from '../interfaces/qingtui-module-options.interface.js';
import { QINGTUI_DEFAULT_BASE_URL } from '../platform/qingtui-platform.constants.js';
import { QINGTUI_EDITION_QUOTAS } from '../token/platform-usage.js';
import type { ResolvedApp, ResolvedQingtuiOptions, SecretReader } from './resolved-options.js';

const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const KEY_PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new QingtuiConfigError(field, 'must be a non-empty string');
  }
  return value;
}

function url(value: unknown, field: string): string {
  const text = nonEmptyString(value, field);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new QingtuiConfigError(field, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new QingtuiConfigError(field, 'must be an absolute http(s) URL');
  }
  return text.replace(/\/+$/, '');
}

function number(
  value: unknown,
  field: string,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    throw new QingtuiConfigError(
      field,
      `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`,
    );
  }
  return value;
}

function boolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new QingtuiConfigError(field, 'must be true or false');
  return value;
}

/** Validates the refresh_token encryption key (at least 16 characters). */
export function encryptionKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 16) {
    throw new QingtuiConfigError('encryptionKey', 'must be a string of at least 16 characters');
  }
  return value;
}

function resolveApps(apps: QingtuiAppConfig | QingtuiAppConfig[]): ResolvedApp[] {
  const list = Array.isArray(apps) ? apps : [apps];
  if (list.length === 0) throw new QingtuiConfigError('apps', 'must list at least one app');
  const seen = new Set<string>();
  return list.map((app, i) => {
    const at = `apps[${i}]`;
    if (app === null || typeof app !== 'object') {
      throw new QingtuiConfigError(at, 'must be an object { name, appId, appSecret }');
    }
    const name = nonEmptyString(app.name, `${at}.name`);
    if (!APP_NAME.test(name)) {
      throw new QingtuiConfigError(
        `${at}.name`,
        'may only hold letters, digits, "_", "-" and "." (at most 64)',
      );
    }
    if (seen.has(name)) throw new QingtuiConfigError(`${at}.name`, `"${name}" is used twice`);
    seen.add(name);
    const appId = nonEmptyString(app.appId, `${at}.appId`);
    if (typeof app.appSecret !== 'function') nonEmptyString(app.appSecret, `${at}.appSecret`);
    return { name, appId, dailyQuota: dailyQuota(app.dailyQuota, `${at}.dailyQuota`) };
  });
}

function dailyQuota(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && Object.hasOwn(QINGTUI_EDITION_QUOTAS, value)) {
    return QINGTUI_EDITION_QUOTAS[value as keyof typeof QINGTUI_EDITION_QUOTAS];
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 10 && value <= 1e9) {
    return value;
  }
  throw new QingtuiConfigError(
    field,
    `must be an integer of at least 10 or one of ${Object.keys(QINGTUI_EDITION_QUOTAS).join(', ')}`,
  );
}

/**
 * The secret readers of the configured apps, by app name, for the token fetcher alone. A secret
 * given as a function is read at every credential fetch; an empty answer is an error naming the
 * app, never the value.
 */
export function resolveAppSecrets(options: QingtuiModuleOptions): Map<string, SecretReader> {
  const readers = new Map<string, SecretReader>();
  if (options.apps === undefined) return readers;
  for (const app of [options.apps].flat()) {
    const secret = app.appSecret;
    readers.set(app.name, async () => {
      const value = typeof secret === 'function' ? await secret() : secret;
      if (typeof value !== 'string' || value.trim() === '') {
        throw new QingtuiConfigError(`apps["${app.name}"].appSecret`, 'gave no secret');
      }
      return value;
    });
  }
  return readers;
}

/**
 * Validates module options and applies every default, in one place. Throws a
 * `QingtuiConfigError` naming the first invalid field; secrets are never part of the message.
 */
export function resolveQingtuiOptions(options: QingtuiModuleOptions): ResolvedQingtuiOptions {
  if (options === null || typeof options !== 'object') {
    throw new QingtuiConfigError('options', 'must be an object');
  }
  const hasApps = options.apps !== undefined;
  const hasServer = options.centralServer !== undefined;
  if (hasApps === hasServer) {
    throw new QingtuiConfigError(
      'apps',
      hasApps
        ? 'cannot be combined with "centralServer": hold AppSecrets or use a central server, not both'
        : 'is required (or set "centralServer" to use a central control server)',
    );
  }

  let apps: ResolvedApp[];
  let centralServer: ResolvedQingtuiOptions['centralServer'];
  if (hasApps) {
    apps = resolveApps(options.apps!);
  } else {
    const server = options.centralServer!;
    centralServer = {
      url: url(server.url, 'centralServer.url'),
      apiKey: nonEmptyString(server.apiKey, 'centralServer.apiKey'),
    };
    if (!Array.isArray(server.apps) || server.apps.length === 0) {
      throw new QingtuiConfigError('centralServer.apps', 'must list at least one app name');
    }
    apps = server.apps.map((name, i) => {
      const field = `centralServer.apps[${i}]`;
      if (!APP_NAME.test(nonEmptyString(name, field))) {
        throw new QingtuiConfigError(field, 'is not a valid app name');
      }
      return { name, appId: name };
    });
    if (new Set(server.apps).size !== server.apps.length) {
      throw new QingtuiConfigError('centralServer.apps', 'lists an app twice');
    }
  }

  const keyPrefix = options.keyPrefix ?? 'qingtui';
  if (!KEY_PREFIX.test(keyPrefix)) {
    throw new QingtuiConfigError('keyPrefix', 'may only hold letters, digits, "_", "-" and "."');
  }
  if (options.store !== undefined && typeof options.store?.get !== 'function') {
    throw new QingtuiConfigError('store', 'must be a cache-manager Cache (createCache())');
  }
  if (options.redisUrl !== undefined && !/^rediss?:\/\//.test(String(options.redisUrl))) {
    throw new QingtuiConfigError('redisUrl', 'must be a redis:// or rediss:// URL');
  }

  checkMetrics(options.metrics);
  const refresh = options.refresh ?? {};
  const retry = options.retry ?? {};
  return {
    mode: hasApps ? 'central' : 'consumer',
    apps,
    defaultApp: apps[0].name,
    baseUrl: url(options.baseUrl ?? QINGTUI_DEFAULT_BASE_URL, 'baseUrl'),
    centralServer,
    store: options.store,
    redisUrl: options.redisUrl,
    keyPrefix,
    refresh: {
      ratio: number(refresh.ratio, 'refresh.ratio', 0.8, 0.1, 0.95, false),
      minValidityMs: number(refresh.minValidityMs, 'refresh.minValidityMs', 30_000, 0, 3_600_000),
      jitterRatio: number(refresh.jitterRatio, 'refresh.jitterRatio', 0.02, 0, 0.1, false),
      // The sweep job ticks every second: a shorter period could not be honoured.
      sweepIntervalMs: number(refresh.sweepIntervalMs, 'refresh.sweepIntervalMs', 5_000, 1_000, 600_000),
    },
    retry: {
      attempts: number(retry.attempts, 'retry.attempts', 3, 1, 10),
      baseDelayMs: number(retry.baseDelayMs, 'retry.baseDelayMs', 200, 1, 60_000),
      maxDelayMs: number(retry.maxDelayMs, 'retry.maxDelayMs', 30_000, 1, 600_000),
    },
    httpTimeoutMs: number(options.httpTimeoutMs, 'httpTimeoutMs', 10_000, 100, 120_000),
    prefetch: options.prefetch ?? true,
    redisOptional: boolean(options.redisOptional, 'redisOptional', false),
    redisTimeoutMs: number(options.redisTimeoutMs, 'redisTimeoutMs', 2_000, 50, 60_000),
    staleReportProbeTtlMs: number(
      options.staleReportProbeTtlMs,
      'staleReportProbeTtlMs',
      60_000,
      0,
      3_600_000,
    ),
    hasEncryptionKey: encryptionKey(options.encryptionKey) !== undefined,
  };
}

/** The `metrics` option: an object whose `registry`, if given, is a prom-client registry. */
function checkMetrics(metrics: QingtuiModuleOptions['metrics']): void {
  if (metrics === undefined) return;
  if (metrics === null || typeof metrics !== 'object') {
    throw new QingtuiConfigError('metrics', 'must be an object: { registry?: a prom-client Registry }');
  }
  const registry = metrics.registry as Partial<Record<string, unknown>> | undefined;
  if (
    registry !== undefined &&
    (registry === null ||
      typeof registry.registerMetric !== 'function' ||
      typeof registry.getSingleMetric !== 'function' ||
      typeof registry.removeSingleMetric !== 'function')
  ) {
    throw new QingtuiConfigError(
      'metrics.registry',
      "must be a prom-client Registry (new Registry(), or prom-client's register)",
    );
  }
}
