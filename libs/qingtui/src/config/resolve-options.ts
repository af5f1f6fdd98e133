import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { encryptionKeyProblem, QINGTUI_OPTION_RULES } from './option-rules.js';
import type {
  QingtuiCentralServerOptions,
  QingtuiModuleOptions,
} from '../interfaces/qingtui-module-options.interface.js';
import {
  DEFAULT_PLATFORM,
  findPlatform,
  platformNames,
  TOKEN_PLATFORMS,
} from '../platforms/platforms.registry.js';
import type { QingtuiSetup } from './app-secrets.interface.js';
import { resolveRedisTarget } from './redis-target.js';
import {
  booleanOption as boolean,
  checkMetrics,
  httpUrl as url,
  nonEmptyString,
  numberInRange as number,
} from './option-checks.js';
import type {
  ResolvedApp,
  ResolvedQingtuiOptions,
  SecretReader,
} from '../core/resolved-options.js';

const APP_NAME = QINGTUI_OPTION_RULES.appName.pattern;
const KEY_PREFIX = QINGTUI_OPTION_RULES.keyPrefix.pattern;
const RULES = QINGTUI_OPTION_RULES;

/** Validates the refresh_token encryption key (`QINGTUI_OPTION_RULES.encryptionKey`). */
export function encryptionKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new QingtuiConfigError('encryptionKey', 'must be a string');
  const problem = encryptionKeyProblem(value);
  if (problem !== undefined) throw new QingtuiConfigError('encryptionKey', problem);
  return value;
}

/** The platform an entry names (`platform`, Qingtui when absent). */
function platformOf(value: unknown, field: string) {
  if (value === undefined) return DEFAULT_PLATFORM;
  const platform = typeof value === 'string' ? findPlatform(value) : undefined;
  if (platform === undefined) {
    throw new QingtuiConfigError(field, `must be one of ${platformNames().join(', ')}`);
  }
  return platform;
}

/** Base URL of every platform: `baseUrls`, `baseUrl` (Qingtui), or the platform's default. */
function resolveBaseUrls(options: QingtuiModuleOptions): Record<string, string> {
  const given = options.baseUrls ?? {};
  if (given === null || typeof given !== 'object') {
    throw new QingtuiConfigError('baseUrls', 'must be an object of base URLs by platform name');
  }
  for (const name of Object.keys(given)) platformOf(name, `baseUrls.${name.slice(0, 40)}`);
  const urls: Record<string, string> = {};
  for (const platform of TOKEN_PLATFORMS) {
    const raw = (given as Record<string, unknown>)[platform.name];
    const own = raw === undefined ? undefined : url(raw, `baseUrls.${platform.name}`);
    const legacy =
      platform === DEFAULT_PLATFORM && options.baseUrl !== undefined
        ? url(options.baseUrl, 'baseUrl')
        : undefined;
    if (own !== undefined && legacy !== undefined && own !== legacy) {
      throw new QingtuiConfigError(
        'baseUrl',
        `and "baseUrls.${platform.name}" disagree: give the ${platform.label} base URL once`,
      );
    }
    urls[platform.name] = own ?? legacy ?? platform.defaultBaseUrl;
  }
  return urls;
}

/** Every platform's rules from `platformRules`, defaults applied. */
function resolveRules(options: QingtuiModuleOptions): Map<string, unknown> {
  const given = options.platformRules ?? {};
  if (given === null || typeof given !== 'object') {
    throw new QingtuiConfigError('platformRules', 'must be an object of rules by platform name');
  }
  for (const name of Object.keys(given)) platformOf(name, `platformRules.${name.slice(0, 40)}`);
  return new Map(
    TOKEN_PLATFORMS.map((p) => [
      p.name,
      p.resolveRules(
        (given as Record<string, unknown>)[p.name] as never,
        `platformRules.${p.name}`,
      ),
    ]),
  );
}

/** The apps of central mode and their secret readers (for the token fetchers only). */
interface PlatformApps {
  apps: ResolvedApp[];
  secrets: Map<string, SecretReader>;
}

/**
 * Validates `apps`: each entry by its platform, names unique, and platform identities unique
 * (two fetchers of one app would kill each other's tokens and share nothing else).
 */
function resolvePlatformApps(
  options: QingtuiModuleOptions,
  baseUrls: Record<string, string>,
  rules: Map<string, unknown>,
): PlatformApps {
  const list: unknown[] = Array.isArray(options.apps) ? options.apps : [options.apps];
  if (list.length === 0) throw new QingtuiConfigError('apps', 'must list at least one app');
  const byName = new Set<string>();
  const byIdentity = new Map<string, string>();
  const secrets = new Map<string, SecretReader>();
  const apps = list.map((entry, i): ResolvedApp => {
    const at = `apps[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new QingtuiConfigError(at, 'must be an object { name, platform?, ... }');
    }
    const record = entry as Record<string, unknown>;
    const name = appName(record.name, `${at}.name`);
    if (byName.has(name)) throw new QingtuiConfigError(`${at}.name`, `"${name}" is used twice`);
    byName.add(name);
    const platform = platformOf(record.platform, `${at}.platform`);
    const { app, secret } = platform.resolveApp(record, at, rules.get(platform.name) as never);
    const identity = `${app.keyNamespace}:${app.appId}`;
    const twin = byIdentity.get(identity);
    if (twin !== undefined) {
      throw new QingtuiConfigError(
        at,
        `is the same app as "${twin}" (${app.label}): one app, one name (two fetchers of one ` +
          "app would kill each other's tokens)",
      );
    }
    byIdentity.set(identity, name);
    secrets.set(name, secret);
    return { name, ...app, baseUrl: baseUrls[platform.name] };
  });
  return { apps, secrets };
}

function appName(value: unknown, field: string): string {
  const name = nonEmptyString(value, field);
  if (!APP_NAME.test(name)) {
    throw new QingtuiConfigError(
      field,
      'may only hold letters, digits, "_", "-" and "." (at most 64)',
    );
  }
  return name;
}

/** The apps of consumer mode: names on the central server, with their platforms. */
function resolveConsumerApps(
  server: QingtuiCentralServerOptions,
  baseUrls: Record<string, string>,
): ResolvedApp[] {
  if (!Array.isArray(server.apps) || server.apps.length === 0) {
    throw new QingtuiConfigError('centralServer.apps', 'must list at least one app name');
  }
  const apps = server.apps.map((entry, i): ResolvedApp => {
    const field = `centralServer.apps[${i}]`;
    const object = entry !== null && typeof entry === 'object' ? entry : undefined;
    const name = appName(object ? object.name : entry, object ? `${field}.name` : field);
    const platform = platformOf(object?.platform, `${field}.platform`);
    return {
      name,
      platform: platform.name,
      appId: name,
      keyNamespace: 'central-server',
      label: `app "${name}" of the central server`,
      baseUrl: baseUrls[platform.name],
      // The server answers its current token, with the time it has left.
      semantics: { repeatsWhileValid: 'time-left', refreshToken: false, clearQuota: false },
      // The central server counts the platform's calls; these are this process's own.
      quota: { counted: [] },
      // Tickets come from the central server too; signing needs the platform identity, which
      // only the central server knows (its `POST /apps/:app/jsapi-signature`).
      tickets: { kinds: platform.ticketKinds, timestampUnit: 'seconds' },
    };
  });
  if (new Set(apps.map((a) => a.name)).size !== apps.length) {
    throw new QingtuiConfigError('centralServer.apps', 'lists an app twice');
  }
  return apps;
}

/**
 * The secret readers of the configured apps, by app name (see `resolveQingtuiSetup`, which the
 * module uses: this one is for tests of a single piece).
 */
export function resolveAppSecrets(options: QingtuiModuleOptions): Map<string, SecretReader> {
  return new Map(resolveQingtuiSetup(options).secrets.readers);
}

/** Validates module options and applies every default (see `resolveQingtuiSetup`). */
export function resolveQingtuiOptions(options: QingtuiModuleOptions): ResolvedQingtuiOptions {
  return resolveQingtuiSetup(options).options;
}

/**
 * Validates module options and applies every default, in one place and in one pass: the
 * options the library shares, and apart from them the secrets, for the token fetchers alone.
 * Throws a `QingtuiConfigError` naming the first invalid field; secrets are never part of the
 * message.
 */
export function resolveQingtuiSetup(options: QingtuiModuleOptions): QingtuiSetup {
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

  const baseUrls = resolveBaseUrls(options);
  const rules = resolveRules(options);
  let apps: ResolvedApp[];
  let readers = new Map<string, SecretReader>();
  let centralServer: ResolvedQingtuiOptions['centralServer'];
  if (hasApps) {
    ({ apps, secrets: readers } = resolvePlatformApps(options, baseUrls, rules));
  } else {
    const server = options.centralServer!;
    if (server === null || typeof server !== 'object') {
      throw new QingtuiConfigError('centralServer', 'must be an object { url, apiKey, apps }');
    }
    centralServer = {
      url: url(server.url, 'centralServer.url'),
      apiKey: nonEmptyString(server.apiKey, 'centralServer.apiKey'),
    };
    apps = resolveConsumerApps(server, baseUrls);
  }

  const keyPrefix = options.keyPrefix ?? 'qingtui';
  if (!KEY_PREFIX.test(keyPrefix)) {
    throw new QingtuiConfigError('keyPrefix', 'may only hold letters, digits, "_", "-" and "."');
  }
  if (options.store !== undefined && typeof options.store?.get !== 'function') {
    throw new QingtuiConfigError('store', 'must be a cache-manager Cache (createCache())');
  }
  const redis = resolveRedisTarget(options.redisUrl, options.redis);

  checkMetrics(options.metrics);
  const key = encryptionKey(options.encryptionKey);
  const refresh = options.refresh ?? {};
  const retry = options.retry ?? {};
  const resolved: ResolvedQingtuiOptions = {
    mode: hasApps ? 'central' : 'consumer',
    apps,
    defaultApp: apps[0].name,
    baseUrls,
    centralServer,
    store: options.store,
    redisUrl: redis?.kind === 'url' ? redis.url : undefined,
    redis,
    keyPrefix,
    refresh: {
      ratio: number(
        refresh.ratio,
        'refresh.ratio',
        0.8,
        RULES.refreshRatio.min,
        RULES.refreshRatio.max,
        false,
      ),
      minValidityMs: number(refresh.minValidityMs, 'refresh.minValidityMs', 30_000, 0, 3_600_000),
      jitterRatio: number(refresh.jitterRatio, 'refresh.jitterRatio', 0.02, 0, 0.1, false),
      // The sweep job ticks every second: a shorter period could not be honoured.
      sweepIntervalMs: number(
        refresh.sweepIntervalMs,
        'refresh.sweepIntervalMs',
        5_000,
        1_000,
        600_000,
      ),
      reconcilePerSecond: number(
        refresh.reconcilePerSecond,
        'refresh.reconcilePerSecond',
        10,
        1,
        10_000,
      ),
    },
    retry: {
      attempts: number(retry.attempts, 'retry.attempts', 3, 1, 10),
      baseDelayMs: number(retry.baseDelayMs, 'retry.baseDelayMs', 200, 1, 60_000),
      maxDelayMs: number(retry.maxDelayMs, 'retry.maxDelayMs', 30_000, 1, 600_000),
    },
    httpTimeoutMs: number(
      options.httpTimeoutMs,
      'httpTimeoutMs',
      10_000,
      RULES.httpTimeoutMs.min,
      RULES.httpTimeoutMs.max,
    ),
    prefetch: options.prefetch ?? true,
    prefetchConcurrency: number(
      options.prefetchConcurrency,
      'prefetchConcurrency',
      RULES.prefetchConcurrency.default,
      RULES.prefetchConcurrency.min,
      RULES.prefetchConcurrency.max,
    ),
    prefetchWaitMs: number(options.prefetchWaitMs, 'prefetchWaitMs', 10_000, 0, 600_000),
    redisOptional: boolean(options.redisOptional, 'redisOptional', false),
    redisTimeoutMs: number(
      options.redisTimeoutMs,
      'redisTimeoutMs',
      2_000,
      RULES.redisTimeoutMs.min,
      RULES.redisTimeoutMs.max,
    ),
    staleReportProbeTtlMs: number(
      options.staleReportProbeTtlMs,
      'staleReportProbeTtlMs',
      60_000,
      0,
      3_600_000,
    ),
    ticketMarginMs: number(options.ticketMarginMs, 'ticketMarginMs', 5_000, 0, 600_000),
    hasEncryptionKey: key !== undefined,
  };
  return { options: resolved, secrets: { readers, encryptionKey: key } };
}
