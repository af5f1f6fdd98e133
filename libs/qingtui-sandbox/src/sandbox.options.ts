/**
 * Configuration of the sandbox: the public option types, their defaults, and
 * the one function that validates options and applies the defaults.
 */

/** Qingtui edition of an app. It decides the app's daily call quota. */
export type Edition = 'free-unverified' | 'free-verified' | 'enterprise';

/** The editions the platform knows, in quota order. */
const EDITIONS: readonly Edition[] = ['free-unverified', 'free-verified', 'enterprise'];

/** An app (轻应用/订阅号) registered on the sandbox platform. */
export interface SandboxApp {
  /** AppID used on `/v1/token`. */
  appId: string;
  /** AppSecret used on `/v1/token`. */
  appSecret: string;
  /**
   * Edition of the app, which sets its daily quota.
   * @default 'enterprise'
   */
  edition?: Edition;
  /**
   * openids of the users who follow the app. Messages can only go to them.
   * A follower `openid-<userId>` is the openid of user `<userId>` on
   * `/team/member/openid/get`.
   * @default []
   */
  followers?: readonly string[];
}

/** Options of {@link QingtuiSandbox}. Every field is optional. */
export interface SandboxOptions {
  /**
   * Apps registered on the platform.
   * @default [SANDBOX_DEMO_APP]
   */
  apps?: SandboxApp[];
  /**
   * `expires_in` of access tokens, in seconds.
   * @default 7200
   */
  tokenTtlSeconds?: number;
  /**
   * Lifetime of a refresh_token, in seconds.
   * @default 2592000 (30 days)
   */
  refreshTokenTtlSeconds?: number;
  /**
   * Minimum spacing of `/v1/token` calls per app, in milliseconds. Every call
   * that passes the credential check counts, rejected ones included; a call
   * closer than this to the previous one gets errcode 45009.
   * @default 2000
   */
  tokenIntervalMs?: number;
  /**
   * `undefined`: an access_token stays valid until its own expiry, however many
   * newer ones are issued (the Qingtui documentation). A number: once a newer
   * token is issued for the app, the older ones die this many seconds later
   * (a WeChat-like short overlap); they then get errcode 40014.
   * @default undefined
   */
  overlapSeconds?: number;
  /**
   * Exact length of the JWT-shaped access_token strings. The platform asks
   * clients to reserve at least 512 characters.
   * @default 600
   */
  tokenLength?: number;
  /**
   * Calls per app per UTC day, by edition. Every call that passes
   * authentication and the `/v1/token` spacing rule counts (token, refresh,
   * messages, uploads...); once the quota is used up calls get errcode 45009.
   * Use `Infinity` for no limit.
   * @default { 'free-unverified': 300, 'free-verified': 2000, enterprise: Infinity }
   */
  dailyQuota?: Partial<Record<Edition, number>>;
  /**
   * Clock in epoch milliseconds. Inject one to move time in tests.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Receives one line per platform request (method, path, status, errcode,
   * duration). Query strings, and so secrets and tokens, are never logged.
   * @default undefined (silent)
   */
  log?: (line: string) => void;
}

/**
 * The demo app registered when no `apps` option is given. Its credentials are
 * public: they exist so that demos and tests can talk to a fresh sandbox.
 */
export const SANDBOX_DEMO_APP: Readonly<Required<SandboxApp>> = Object.freeze({
  appId: 'demo-app-id',
  appSecret: 'demo-app-secret',
  edition: 'enterprise',
  followers: Object.freeze(['openid-alice', 'openid-bob', 'openid-carol']),
});

/** Default `expires_in` of access tokens (seconds): 2 hours, as on the platform. */
export const DEFAULT_TOKEN_TTL_SECONDS = 7200;
/** Default refresh_token lifetime (seconds): 30 days, as on the platform. */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Default `/v1/token` spacing per app (ms): 1 call per 2 s, as on the platform. */
export const DEFAULT_TOKEN_INTERVAL_MS = 2000;
/** Default access_token length (characters). */
export const DEFAULT_TOKEN_LENGTH = 600;
/** Default daily call quotas by edition, from the official "开始开发" page. */
export const DEFAULT_DAILY_QUOTA: Readonly<Record<Edition, number>> = Object.freeze({
  'free-unverified': 300,
  'free-verified': 2000,
  enterprise: Infinity,
});

/** An app with its defaults applied. */
export interface ResolvedApp {
  readonly appId: string;
  readonly appSecret: string;
  readonly edition: Edition;
  readonly followers: readonly string[];
  readonly followerSet: ReadonlySet<string>;
  /** The enterprise (domain) the app belongs to; written into its tokens. */
  readonly domainId: string;
}

/** Options with every default applied and every value checked. */
export interface ResolvedSandboxOptions {
  readonly apps: ReadonlyMap<string, ResolvedApp>;
  readonly tokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly tokenIntervalMs: number;
  readonly overlapSeconds: number | undefined;
  readonly tokenLength: number;
  readonly dailyQuota: Readonly<Record<Edition, number>>;
  readonly now: () => number;
  readonly log: ((line: string) => void) | undefined;
}

/**
 * Validates options and applies the defaults.
 * @throws TypeError or RangeError naming the offending option.
 */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const apps = new Map<string, ResolvedApp>();
  for (const app of options.apps ?? [SANDBOX_DEMO_APP]) {
    const resolved = resolveApp(app);
    if (apps.has(resolved.appId)) throw new RangeError(`apps: duplicate appId "${resolved.appId}"`);
    apps.set(resolved.appId, resolved);
  }

  const dailyQuota = { ...DEFAULT_DAILY_QUOTA };
  for (const [edition, quota] of Object.entries(options.dailyQuota ?? {})) {
    if (!EDITIONS.includes(edition as Edition)) {
      throw new RangeError(`dailyQuota: unknown edition "${edition}"`);
    }
    if (quota === undefined) continue;
    dailyQuota[edition as Edition] = checkNumber(`dailyQuota.${edition}`, quota, 0, true);
  }

  const overlap = options.overlapSeconds;
  return {
    apps,
    tokenTtlSeconds: positive(
      'tokenTtlSeconds',
      options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    ),
    refreshTokenTtlSeconds: positive(
      'refreshTokenTtlSeconds',
      options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    ),
    tokenIntervalMs: checkNumber(
      'tokenIntervalMs',
      options.tokenIntervalMs ?? DEFAULT_TOKEN_INTERVAL_MS,
      0,
    ),
    overlapSeconds: overlap === undefined ? undefined : checkNumber('overlapSeconds', overlap, 0),
    tokenLength: checkInteger('tokenLength', options.tokenLength ?? DEFAULT_TOKEN_LENGTH),
    dailyQuota,
    now: options.now ?? Date.now,
    log: options.log,
  };
}

function resolveApp(app: SandboxApp): ResolvedApp {
  if (typeof app?.appId !== 'string' || app.appId === '') {
    throw new TypeError('apps: appId must be a non-empty string');
  }
  const where = `apps["${app.appId}"]`;
  if (typeof app.appSecret !== 'string' || app.appSecret === '') {
    throw new TypeError(`${where}: appSecret must be a non-empty string`);
  }
  const edition = app.edition ?? 'enterprise';
  if (!EDITIONS.includes(edition)) {
    throw new RangeError(`${where}: unknown edition "${String(edition)}"`);
  }
  const followers = app.followers ?? [];
  if (!Array.isArray(followers) || followers.some((f) => typeof f !== 'string' || f === '')) {
    throw new TypeError(`${where}: followers must be an array of non-empty openid strings`);
  }
  return {
    appId: app.appId,
    appSecret: app.appSecret,
    edition,
    followers: [...followers],
    followerSet: new Set(followers),
    domainId: `domain-${app.appId}`,
  };
}

function positive(name: string, value: number): number {
  checkNumber(name, value, 0);
  if (value === 0) throw new RangeError(`${name} must be greater than 0`);
  return value;
}

function checkInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}

function checkNumber(name: string, value: number, min: number, allowInfinity = false): number {
  const finiteOk = allowInfinity ? !Number.isNaN(value) : Number.isFinite(value);
  if (typeof value !== 'number' || !finiteOk || value < min) {
    throw new RangeError(
      `${name} must be a number >= ${min}${allowInfinity ? ' (or Infinity)' : ''}`,
    );
  }
  return value;
}
