import {
  booleanOption,
  dailyQuotaOption,
  jsSafeDomains,
  knownFields,
  nonEmptyString,
  numberInRange,
  secretReader,
} from '../../config/option-checks.js';
import { flatString } from '../../core/flat-string.js';
import { QingtuiConfigError } from '../../errors/qingtui-config.error.js';
import { sharedPerRules } from '../shared-per-rules.js';
import type { TokenPlatform } from '../platform.interface.js';
import type { WechatMpAppConfig } from './wechat-mp-app-config.interface.js';
import { classifyWechatMpErrcode, wechatMpMinHoldMs } from './wechat-mp-errcodes.js';
import { WechatMpTokenFetcher } from './wechat-mp-token.fetcher.js';
import {
  WECHAT_MP_DEFAULT_BASE_URL,
  WECHAT_MP_NAMESPACES,
  WECHAT_MP_RULES,
} from './wechat-mp.constants.js';

const WECHAT_MP_TICKET_KINDS: readonly string[] = Object.freeze(['jsapi', 'wx_card']);
/**
 * The WeChat platform's timings, in `platformRules['wechat-mp']`. The defaults are the
 * documented values; change them only to follow the platform, or for a sandbox with compressed
 * time.
 */
export interface WechatMpRules {
  /**
   * `/cgi-bin/token`: how long the previous token keeps working after a new one is issued. Tokens
   * are renewed no earlier than this before they expire, so that the previous token always
   * outlives its own `expires_at`.
   * @default 300_000 (ms)
   */
  tokenOverlapMs?: number;
  /**
   * stable_token: the platform issues a new token once less than this is left; renewals happen
   * inside this window.
   * @default 300_000 (ms)
   */
  stableRefreshWindowMs?: number;
  /** stable_token: forced refreshes a day, counted across instances. @default 20 */
  forceRefreshDailyLimit?: number;
  /** stable_token: least spacing of forced refreshes, across instances. @default 30_000 (ms) */
  forceRefreshMinIntervalMs?: number;
}

const FIELDS = [
  'name',
  'platform',
  'appId',
  'appSecret',
  'stableToken',
  'dailyQuota',
  'jsSafeDomains',
] as const;

/**
 * The WeChat Official Account (公众号): `/cgi-bin/token` (each fetch issues a new token and the
 * previous one dies 5 minutes later; 2000 calls a day) or `/cgi-bin/stable_token` (the current
 * token while valid, self-rotation 5 minutes before expiry, budgeted forced refresh);
 * `clear_quota/v2` on demand; `getcallbackip` as the probe.
 */
export const wechatMpPlatform: TokenPlatform<'wechat-mp', WechatMpAppConfig, WechatMpRules> = {
  name: 'wechat-mp',
  label: 'WeChat',
  defaultBaseUrl: WECHAT_MP_DEFAULT_BASE_URL,
  ticketKinds: WECHAT_MP_TICKET_KINDS,

  resolveRules(raw, field) {
    if (raw !== undefined && (raw === null || typeof raw !== 'object')) {
      throw new QingtuiConfigError(field, 'must be an object');
    }
    const r = (raw ?? {}) as Record<string, unknown>;
    knownFields(r, field, [
      'tokenOverlapMs',
      'stableRefreshWindowMs',
      'forceRefreshDailyLimit',
      'forceRefreshMinIntervalMs',
    ]);
    const d = WECHAT_MP_RULES;
    return {
      tokenOverlapMs: numberInRange(
        r.tokenOverlapMs,
        `${field}.tokenOverlapMs`,
        d.tokenOverlapMs,
        0,
        3_600_000,
      ),
      stableRefreshWindowMs: numberInRange(
        r.stableRefreshWindowMs,
        `${field}.stableRefreshWindowMs`,
        d.stableRefreshWindowMs,
        100,
        3_600_000,
      ),
      forceRefreshDailyLimit: numberInRange(
        r.forceRefreshDailyLimit,
        `${field}.forceRefreshDailyLimit`,
        d.forceRefreshDailyLimit,
        1,
        1_000,
      ),
      forceRefreshMinIntervalMs: numberInRange(
        r.forceRefreshMinIntervalMs,
        `${field}.forceRefreshMinIntervalMs`,
        d.forceRefreshMinIntervalMs,
        0,
        86_400_000,
      ),
    };
  },

  resolveApp(entry, at, rules) {
    knownFields(entry, at, FIELDS);
    const appId = nonEmptyString(entry.appId, `${at}.appId`);
    const secret = secretReader(entry.appSecret, `${at}.appSecret`, String(entry.name));
    const stable = booleanOption(entry.stableToken, `${at}.stableToken`, false);
    const defaultQuota = stable
      ? WECHAT_MP_RULES.stableDailyQuota
      : WECHAT_MP_RULES.tokenDailyQuota;
    const limit =
      entry.dailyQuota === undefined
        ? defaultQuota
        : dailyQuotaOption(entry.dailyQuota, `${at}.dailyQuota`);
    return {
      app: {
        platform: 'wechat-mp',
        appId,
        // stable_token's tokens are a namespace of their own: the same AppID may be configured
        // once for each API without sharing a record, a lock or a quota count.
        keyNamespace: stable ? WECHAT_MP_NAMESPACES.stable : WECHAT_MP_NAMESPACES.classic,
        label: flatString('WeChat AppID ', appId, stable ? ' (stable_token)' : ''),
        semantics: stable
          ? sharedPerRules(rules, 'stable', () => ({
              repeatsWhileValid: 'time-left' as const,
              rotationWindowMs: rules.stableRefreshWindowMs,
              refreshToken: false,
              forceRefresh: {
                dailyLimit: rules.forceRefreshDailyLimit,
                minIntervalMs: rules.forceRefreshMinIntervalMs,
              },
              clearQuota: true,
            }))
          : sharedPerRules(rules, 'classic', () => ({
              supersedes: { overlapMs: rules.tokenOverlapMs },
              refreshToken: false,
              clearQuota: true,
            })),
        quota: { counted: ['token'], limit },
        tickets: {
          kinds: WECHAT_MP_TICKET_KINDS,
          configAppId: appId,
          timestampUnit: 'seconds',
          domains: jsSafeDomains(entry.jsSafeDomains, `${at}.jsSafeDomains`),
        },
      },
      secret,
    };
  },

  classify: classifyWechatMpErrcode,
  minHoldMs: wechatMpMinHoldMs,

  attachToken(config, token) {
    config.params = { ...(config.params as object | undefined), access_token: token };
  },

  createFetcher: (deps, app, secret) => new WechatMpTokenFetcher(deps, app, secret),
};
