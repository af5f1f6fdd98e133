/**
 * The WeChat Official Account (公众号) part of the sandbox configuration: its
 * apps, its rules with their platform defaults, and their resolution.
 */
import {
  checkBoolean,
  checkLimit,
  checkNonEmptyString,
  checkNumber,
  checkPositive,
} from '../../shared/option-checks.js';
import type { TicketRepeat, TicketRules } from '../../shared/ticket-kinds.js';
import { resolveTicketRules } from '../../shared/ticket-options.js';

/** A WeChat Official Account registered on the sandbox. */
export interface WechatSandboxApp {
  /** AppID, as sent to `/cgi-bin/token`, `/cgi-bin/stable_token` and `/cgi-bin/clear_quota/v2`. */
  appId: string;
  /** AppSecret, as sent to the same endpoints. */
  appSecret: string;
}

/**
 * WeChat's rules, with the platform's values as defaults. Shorten the times
 * to make tests fast (e.g. `{ overlapSeconds: 2 }` with `tokenTtlSeconds: 20`).
 */
export interface WechatRules {
  /**
   * Lifetime of WeChat access tokens (classic and stable), in seconds.
   * @default the sandbox's `tokenTtlSeconds` (7200)
   */
  tokenTtlSeconds?: number;
  /**
   * `/cgi-bin/token`: once a newer token is issued, the previous one keeps
   * working this many seconds (never past its own expiry), then gets 40001.
   * @default 300
   */
  overlapSeconds?: number;
  /**
   * `/cgi-bin/token` calls per app per day (Beijing time); beyond, 45009.
   * `/cgi-bin/clear_quota/v2` gives the day's calls back. `Infinity`: no limit.
   * @default 2000
   */
  dailyTokenQuota?: number;
  /**
   * `/cgi-bin/stable_token`: when a token has less than this left, a
   * normal-mode call issues a new one (the old one works until its own
   * expiry). So every `expires_in` it answers is at least this much: the
   * platform's floor of 300 s.
   * @default 300 × tokenTtlSeconds / 7200 (300 at the platform's 7200 s)
   */
  stableRefreshWindowSeconds?: number;
  /**
   * `/cgi-bin/stable_token` with `force_refresh: true`: forced refreshes per
   * app per day (Beijing time); beyond, 45009.
   * @default 20
   */
  forceRefreshDailyLimit?: number;
  /**
   * A force-mode call less than this many seconds after the app's last
   * forced refresh does not refresh: it is answered as in normal mode.
   * @default 30
   */
  forceRefreshIntervalSeconds?: number;
  /**
   * What a forced refresh does to the token that was current before it.
   * `false`: it keeps working until its own expiry or the app's next forced
   * refresh, whichever comes first; every older stable token dies at once.
   * This is what the official advice for a leaked token implies (call
   * force_refresh twice, 30 s apart: the second call retires the leaked one).
   * `true`: it dies at once, like every other stable token of the app (the
   * stricter reading of "会导致上次获取的 access_token 失效").
   * @default false
   */
  forceRefreshKillsAtOnce?: boolean;
  /**
   * `/cgi-bin/stable_token` calls per app per minute; beyond, 45011.
   * @default 10000
   */
  stableMinuteLimit?: number;
  /**
   * `/cgi-bin/stable_token` calls per app per day (Beijing time); beyond, 45009.
   * @default 500000
   */
  stableDailyLimit?: number;
  /**
   * Successful `/cgi-bin/clear_quota/v2` calls per app per calendar month
   * (Beijing time); beyond, 48006.
   * @default 10
   */
  clearQuotaMonthlyLimit?: number;
  /**
   * Lifetime of `/cgi-bin/ticket/getticket` tickets (jsapi and wx_card), in
   * seconds; every answer's `expires_in`.
   * @default the sandbox's `ticketTtlSeconds` (7200)
   */
  ticketTtlSeconds?: number;
  /**
   * A ticket fetch while the app's ticket of that type lives: `'same'` answers
   * it again (with `expires_in` reset to the whole lifetime, as the platform
   * does), `'new'` issues a new one every time.
   * @default the sandbox's `ticketRepeat` ('same')
   */
  ticketRepeat?: TicketRepeat;
}

/**
 * The WeChat demo app registered when no `wechatApps` option is given. Its
 * credentials are public and only work against the sandbox.
 */
export const SANDBOX_DEMO_WECHAT_APP: Readonly<WechatSandboxApp> = Object.freeze({
  appId: 'wx-demo-app-id',
  appSecret: 'wx-demo-app-secret',
});

/** WeChat's documented values, the defaults of {@link WechatRules} (the stable window scales with the TTL). */
export const DEFAULT_WECHAT_RULES = Object.freeze({
  overlapSeconds: 300,
  dailyTokenQuota: 2000,
  /** Seconds of the stable window at the platform's 7200 s lifetime. */
  stableRefreshWindowSeconds: 300,
  forceRefreshDailyLimit: 20,
  forceRefreshIntervalSeconds: 30,
  forceRefreshKillsAtOnce: false,
  stableMinuteLimit: 10_000,
  stableDailyLimit: 500_000,
  clearQuotaMonthlyLimit: 10,
});

/** The token lifetime the platform's 300 s stable window belongs to. */
const PLATFORM_TTL_SECONDS = 7200;

/** A WeChat app as the emulation reads it. */
export interface ResolvedWechatApp {
  readonly appId: string;
  readonly appSecret: string;
}

/** {@link WechatRules} with every default applied. */
export type ResolvedWechatRules = Readonly<Required<WechatRules>>;

/**
 * Validates the WeChat apps.
 * @throws TypeError or RangeError naming the app and the field
 */
export function resolveWechatApps(
  apps: readonly WechatSandboxApp[] | undefined,
): Map<string, ResolvedWechatApp> {
  if (apps !== undefined && !Array.isArray(apps)) {
    throw new TypeError('wechatApps must be an array of { appId, appSecret }');
  }
  const resolved = new Map<string, ResolvedWechatApp>();
  for (const app of apps ?? [SANDBOX_DEMO_WECHAT_APP]) {
    const appId = checkNonEmptyString('wechatApps: appId', app?.appId);
    const appSecret = checkNonEmptyString(`wechatApps["${appId}"]: appSecret`, app.appSecret);
    if (resolved.has(appId)) throw new RangeError(`wechatApps: duplicate appId "${appId}"`);
    resolved.set(appId, { appId, appSecret });
  }
  return resolved;
}

/**
 * Applies the defaults of the WeChat rules and checks them.
 * @param defaultTtlSeconds the sandbox-wide `tokenTtlSeconds`
 * @param ticketDefaults the sandbox-wide `ticketTtlSeconds` and `ticketRepeat`
 * @throws RangeError naming the rule
 */
export function resolveWechatRules(
  rules: WechatRules = {},
  defaultTtlSeconds: number,
  ticketDefaults: TicketRules,
): ResolvedWechatRules {
  const d = DEFAULT_WECHAT_RULES;
  const ttl = checkPositive(
    'wechatRules.tokenTtlSeconds',
    rules.tokenTtlSeconds ?? defaultTtlSeconds,
  );
  const window = checkPositive(
    'wechatRules.stableRefreshWindowSeconds',
    rules.stableRefreshWindowSeconds ?? (d.stableRefreshWindowSeconds * ttl) / PLATFORM_TTL_SECONDS,
  );
  if (window >= ttl) {
    throw new RangeError(
      `wechatRules.stableRefreshWindowSeconds (${window}) must be shorter than the token lifetime (${ttl} s)`,
    );
  }
  return Object.freeze({
    tokenTtlSeconds: ttl,
    overlapSeconds: checkNumber(
      'wechatRules.overlapSeconds',
      rules.overlapSeconds ?? d.overlapSeconds,
      0,
    ),
    dailyTokenQuota: checkLimit(
      'wechatRules.dailyTokenQuota',
      rules.dailyTokenQuota ?? d.dailyTokenQuota,
    ),
    stableRefreshWindowSeconds: window,
    forceRefreshDailyLimit: checkLimit(
      'wechatRules.forceRefreshDailyLimit',
      rules.forceRefreshDailyLimit ?? d.forceRefreshDailyLimit,
    ),
    forceRefreshIntervalSeconds: checkNumber(
      'wechatRules.forceRefreshIntervalSeconds',
      rules.forceRefreshIntervalSeconds ?? d.forceRefreshIntervalSeconds,
      0,
    ),
    forceRefreshKillsAtOnce: checkBoolean(
      'wechatRules.forceRefreshKillsAtOnce',
      rules.forceRefreshKillsAtOnce ?? d.forceRefreshKillsAtOnce,
    ),
    stableMinuteLimit: checkLimit(
      'wechatRules.stableMinuteLimit',
      rules.stableMinuteLimit ?? d.stableMinuteLimit,
    ),
    stableDailyLimit: checkLimit(
      'wechatRules.stableDailyLimit',
      rules.stableDailyLimit ?? d.stableDailyLimit,
    ),
    clearQuotaMonthlyLimit: checkLimit(
      'wechatRules.clearQuotaMonthlyLimit',
      rules.clearQuotaMonthlyLimit ?? d.clearQuotaMonthlyLimit,
    ),
    ...resolveTicketRules('wechatRules.', rules, ticketDefaults),
  });
}
