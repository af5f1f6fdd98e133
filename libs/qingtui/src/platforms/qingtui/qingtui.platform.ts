import {
  dailyQuotaOption,
  jsSafeDomains,
  knownFields,
  nonEmptyString,
  secretReader,
} from '../../config/option-checks.js';
import { flatString } from '../../core/flat-string.js';
import { QingtuiConfigError } from '../../errors/qingtui-config.error.js';
import type { TokenPlatform } from '../platform.interface.js';
import type { QingtuiAppConfig } from './qingtui-app-config.interface.js';
import { classifyQingtuiErrcode } from './qingtui-errcodes.js';
import {
  QINGTUI_DEFAULT_BASE_URL,
  QINGTUI_EDITION_QUOTAS,
  QINGTUI_TOKEN_MIN_INTERVAL_MS,
} from './qingtui-platform.constants.js';
import { QingtuiTokenFetcher } from './qingtui-token.fetcher.js';

const FIELDS = ['name', 'platform', 'appId', 'appSecret', 'dailyQuota', 'jsSafeDomains'] as const;

const QINGTUI_TICKET_KINDS: readonly string[] = Object.freeze(['jsapi']);
/** The fetch semantics and quota counting of every Qingtui app: one object for all. */
const QINGTUI_SEMANTICS = Object.freeze({
  refreshToken: true,
  minTokenCallIntervalMs: QINGTUI_TOKEN_MIN_INTERVAL_MS,
  clearQuota: false,
});
const QINGTUI_QUOTA = Object.freeze({
  counted: Object.freeze(['token', 'refresh', 'api'] as const),
  limit: undefined,
});
/**
 * Qingtui's token facts are fixed (2 s rule, 30-day refresh_token); its one rule is the unit of
 * the JS-SDK signature's timestamp (`platformRules.qingtui`).
 */
export interface QingtuiRules {
  /**
   * The unit of `timestamp` in JS-SDK signatures. The references disagree (one SDK signs
   * milliseconds, the WeChat-style JS-SDK takes seconds); the platform checks the SHA-1 of the
   * values the page passes to `config`, so either works as long as the page passes the
   * `timestamp` it was given, and seconds is what the WeChat-derived JS-SDK documents.
   * @default 'seconds'
   */
  jsapiTimestamp?: 'seconds' | 'milliseconds';
}

/**
 * Qingtui (轻推): `/v1/token` with the AppSecret (one call per 2 s per app, each call replaces the
 * refresh_token), `/auth/autoRefreshToken` with the refresh_token, old tokens valid until their
 * own expiry; every call counts against the edition's daily quota; the probe reads one follower.
 */
export const qingtuiPlatform: TokenPlatform<'qingtui', QingtuiAppConfig, QingtuiRules> = {
  name: 'qingtui',
  label: 'Qingtui',
  defaultBaseUrl: QINGTUI_DEFAULT_BASE_URL,
  ticketKinds: QINGTUI_TICKET_KINDS,

  resolveRules(raw, field) {
    if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      throw new QingtuiConfigError(field, 'must be an object');
    }
    const r = (raw ?? {}) as Record<string, unknown>;
    knownFields(r, field, ['jsapiTimestamp']);
    const unit = r.jsapiTimestamp ?? 'seconds';
    if (unit !== 'seconds' && unit !== 'milliseconds') {
      throw new QingtuiConfigError(
        `${field}.jsapiTimestamp`,
        "must be 'seconds' or 'milliseconds'",
      );
    }
    return { jsapiTimestamp: unit };
  },

  resolveApp(entry, at, rules) {
    knownFields(entry, at, FIELDS);
    const appId = nonEmptyString(entry.appId, `${at}.appId`);
    const secret = secretReader(entry.appSecret, `${at}.appSecret`, String(entry.name));
    const limit =
      entry.dailyQuota === undefined
        ? undefined
        : dailyQuotaOption(entry.dailyQuota, `${at}.dailyQuota`, QINGTUI_EDITION_QUOTAS);
    return {
      app: {
        platform: 'qingtui',
        appId,
        keyNamespace: 'qingtui',
        label: flatString('Qingtui AppID ', appId),
        semantics: QINGTUI_SEMANTICS,
        quota: limit === undefined ? QINGTUI_QUOTA : { counted: QINGTUI_QUOTA.counted, limit },
        tickets: {
          kinds: QINGTUI_TICKET_KINDS,
          configAppId: appId,
          timestampUnit: rules.jsapiTimestamp,
          domains: jsSafeDomains(entry.jsSafeDomains, `${at}.jsSafeDomains`),
        },
      },
      secret,
    };
  },

  classify: classifyQingtuiErrcode,

  attachToken(config, token) {
    config.params = { ...(config.params as object | undefined), access_token: token };
  },

  createFetcher: (deps, app, secret) => new QingtuiTokenFetcher(deps, app, secret),
};
