/**
 * Configuration of the sandbox: the public options type, and the one function
 * that validates options and applies the defaults. Each platform's part lives
 * in its folder (`platforms/<platform>/<platform>.options.ts`).
 */
import {
  checkBoolean,
  checkNumber,
  checkPositive,
  checkPositiveInteger,
} from './shared/option-checks.js';
import type { TicketRepeat } from './shared/ticket-kinds.js';
import {
  DEFAULT_TICKET_REPEAT,
  DEFAULT_TICKET_TTL_SECONDS,
  resolveTicketRules,
} from './shared/ticket-options.js';
import {
  DEFAULT_DAILY_QUOTA,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_INTERVAL_MS,
  DEFAULT_TOKEN_LENGTH,
  DEFAULT_TOKEN_TTL_SECONDS,
  EDITIONS,
  type Edition,
  type ResolvedApp,
  type ResolvedQingtuiOptions,
  resolveQingtuiApp,
  SANDBOX_DEMO_APP,
  type SandboxApp,
} from './platforms/qingtui/qingtui.options.js';
import {
  type ResolvedWechatApp,
  type ResolvedWechatRules,
  resolveWechatApps,
  resolveWechatRules,
  type WechatRules,
  type WechatSandboxApp,
} from './platforms/wechat-mp/wechat-mp.options.js';
import {
  type ResolvedWecomApp,
  type ResolvedWecomRules,
  resolveWecomApps,
  resolveWecomRules,
  type WecomRules,
  type WecomSandboxApp,
} from './platforms/wecom/wecom.options.js';

export {
  DEFAULT_DAILY_QUOTA,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_INTERVAL_MS,
  DEFAULT_TOKEN_LENGTH,
  DEFAULT_TOKEN_TTL_SECONDS,
  type Edition,
  SANDBOX_DEMO_APP,
  type SandboxApp,
} from './platforms/qingtui/qingtui.options.js';
export {
  DEFAULT_WECHAT_RULES,
  SANDBOX_DEMO_WECHAT_APP,
  type WechatRules,
  type WechatSandboxApp,
} from './platforms/wechat-mp/wechat-mp.options.js';
export {
  DEFAULT_WECOM_RULES,
  SANDBOX_DEMO_WECOM_APP,
  type WecomRules,
  type WecomSandboxApp,
  wecomAppKey,
} from './platforms/wecom/wecom.options.js';

/** Options of {@link QingtuiSandbox}. Every field is optional. */
export interface SandboxOptions {
  /**
   * Qingtui apps registered on the platform.
   * @default [SANDBOX_DEMO_APP]
   */
  apps?: SandboxApp[];
  /**
   * WeChat Official Accounts registered on the platform.
   * @default [SANDBOX_DEMO_WECHAT_APP]
   */
  wechatApps?: WechatSandboxApp[];
  /**
   * WeCom apps registered on the platform. Each is named `"<corpId>/<agentId>"`
   * in counters and on the control API.
   * @default [SANDBOX_DEMO_WECOM_APP]
   */
  wecomApps?: WecomSandboxApp[];
  /**
   * `expires_in` of access tokens, in seconds, on every platform unless
   * `wechatRules.tokenTtlSeconds` or `wecomRules.tokenTtlSeconds` says otherwise.
   * @default 7200
   */
  tokenTtlSeconds?: number;
  /**
   * Qingtui: lifetime of a refresh_token, in seconds.
   * @default 2592000 (30 days)
   */
  refreshTokenTtlSeconds?: number;
  /**
   * Qingtui: minimum spacing of `/v1/token` calls per app, in milliseconds
   * (seed 000: 1 call per 2 s). Every call that passes the credential check
   * counts, whatever its answer; a call closer than this to the previous one
   * gets errcode 45009 and, by default, leaves the window where it was.
   * @default 2000
   */
  tokenIntervalMs?: number;
  /**
   * Qingtui: a `/v1/token` call refused by the spacing rule restarts the
   * window too, so that a client retrying faster than `tokenIntervalMs` is
   * never served. No document says the platform does this; it is here to test
   * clients against the stricter reading.
   * @default false
   */
  tokenIntervalRefusalsRestart?: boolean;
  /**
   * Qingtui. `undefined`: an access_token stays valid until its own expiry,
   * however many newer ones are issued (the Qingtui documentation). A number:
   * once a newer token is issued for the app, the older ones die this many
   * seconds later (a WeChat-like short overlap); they then get errcode 40014.
   * WeChat's own overlap is `wechatRules.overlapSeconds`.
   * @default undefined
   */
  overlapSeconds?: number;
  /**
   * Qingtui: exact length of the JWT-shaped access_token strings. The
   * platform asks clients to reserve at least 512 characters.
   * @default 600
   */
  tokenLength?: number;
  /**
   * Qingtui: calls per app per UTC day, by edition. Every call that passes
   * authentication and the `/v1/token` spacing rule counts (token, refresh,
   * messages, uploads...); once the quota is used up calls get errcode 45009.
   * Use `Infinity` for no limit.
   * @default { 'free-unverified': 300, 'free-verified': 2000, enterprise: Infinity }
   */
  dailyQuota?: Partial<Record<Edition, number>>;
  /**
   * Lifetime of JS-SDK tickets in seconds, and the `expires_in` of every
   * ticket answer, on every platform unless `wechatRules.ticketTtlSeconds` or
   * `wecomRules.ticketTtlSeconds` says otherwise.
   * @default 7200
   */
  ticketTtlSeconds?: number;
  /**
   * A ticket fetch while the app's ticket of that kind lives: `'same'`
   * answers it again, with `expires_in` reset to the whole lifetime although
   * it still expires when it was going to (what the platforms do); `'new'`
   * issues a new ticket at every fetch (the older ones live on until their
   * own expiry). Every platform unless its rules say otherwise.
   * @default 'same'
   */
  ticketRepeat?: TicketRepeat;
  /** WeChat's rules (overlap, quotas, stable_token windows and limits, tickets). @default the platform's values */
  wechatRules?: WechatRules;
  /** WeCom's rules (lifetime, frequency limit, tickets and their hourly limits). @default the platform's values */
  wecomRules?: WecomRules;
  /**
   * Clock in epoch milliseconds, shared by every platform. Inject one to move
   * time in tests.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Receives one line per platform request (method, path, status, errcode,
   * duration). Query strings and bodies, and so secrets and tokens, are never logged.
   * @default undefined (silent)
   */
  log?: (line: string) => void;
}

/** The platforms the sandbox emulates. */
export type SandboxPlatform = 'qingtui' | 'wechat-mp' | 'wecom';

/** Options with every default applied and every value checked. */
export interface ResolvedSandboxOptions extends ResolvedQingtuiOptions {
  readonly wechatApps: ReadonlyMap<string, ResolvedWechatApp>;
  /** By app key `"<corpId>/<agentId>"`. */
  readonly wecomApps: ReadonlyMap<string, ResolvedWecomApp>;
  readonly wechatRules: ResolvedWechatRules;
  readonly wecomRules: ResolvedWecomRules;
  readonly log: ((line: string) => void) | undefined;
}

/**
 * Validates options and applies the defaults.
 * @throws TypeError or RangeError naming the offending option.
 */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const apps = new Map<string, ResolvedApp>();
  for (const app of options.apps ?? [SANDBOX_DEMO_APP]) {
    const resolved = resolveQingtuiApp(app);
    if (apps.has(resolved.appId)) throw new RangeError(`apps: duplicate appId "${resolved.appId}"`);
    apps.set(resolved.appId, resolved);
  }
  const wechatApps = resolveWechatApps(options.wechatApps);
  const wecomApps = resolveWecomApps(options.wecomApps);
  checkKeysUnique(apps, wechatApps, wecomApps);

  const dailyQuota = { ...DEFAULT_DAILY_QUOTA };
  for (const [edition, quota] of Object.entries(options.dailyQuota ?? {})) {
    if (!EDITIONS.includes(edition as Edition)) {
      throw new RangeError(`dailyQuota: unknown edition "${edition}"`);
    }
    if (quota === undefined) continue;
    dailyQuota[edition as Edition] = checkNumber(`dailyQuota.${edition}`, quota, 0, true);
  }

  const tokenTtlSeconds = checkPositive(
    'tokenTtlSeconds',
    options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
  );
  const overlap = options.overlapSeconds;
  const tickets = resolveTicketRules('', options, {
    ticketTtlSeconds: DEFAULT_TICKET_TTL_SECONDS,
    ticketRepeat: DEFAULT_TICKET_REPEAT,
  });
  return {
    apps,
    wechatApps,
    wecomApps,
    tokenTtlSeconds,
    refreshTokenTtlSeconds: checkPositive(
      'refreshTokenTtlSeconds',
      options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    ),
    tokenIntervalMs: checkNumber(
      'tokenIntervalMs',
      options.tokenIntervalMs ?? DEFAULT_TOKEN_INTERVAL_MS,
      0,
    ),
    tokenIntervalRefusalsRestart: checkBoolean(
      'tokenIntervalRefusalsRestart',
      options.tokenIntervalRefusalsRestart ?? false,
    ),
    overlapSeconds: overlap === undefined ? undefined : checkNumber('overlapSeconds', overlap, 0),
    tokenLength: checkPositiveInteger('tokenLength', options.tokenLength ?? DEFAULT_TOKEN_LENGTH),
    dailyQuota,
    tickets,
    wechatRules: resolveWechatRules(options.wechatRules, tokenTtlSeconds, tickets),
    wecomRules: resolveWecomRules(options.wecomRules, tokenTtlSeconds, tickets),
    now: options.now ?? Date.now,
    log: options.log,
  };
}

/** Apps of every platform share one namespace of keys (counters, control API). */
function checkKeysUnique(...maps: ReadonlyMap<string, unknown>[]): void {
  const names = ['apps', 'wechatApps', 'wecomApps'];
  const seen = new Map<string, string>();
  maps.forEach((map, index) => {
    for (const key of map.keys()) {
      const first = seen.get(key);
      if (first !== undefined) {
        throw new RangeError(
          `${names[index]}: "${key}" is already the name of an app in ${first}; app names must be unique across platforms`,
        );
      }
      seen.set(key, names[index]);
    }
  });
}
