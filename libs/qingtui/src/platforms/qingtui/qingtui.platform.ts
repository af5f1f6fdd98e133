import {
  dailyQuotaOption,
  knownFields,
  nonEmptyString,
  secretReader,
} from '../../config/option-checks.js';
import type { TokenPlatform } from '../platform.interface.js';
import type { QingtuiAppConfig } from './qingtui-app-config.interface.js';
import { classifyQingtuiErrcode } from './qingtui-errcodes.js';
import {
  QINGTUI_DEFAULT_BASE_URL,
  QINGTUI_EDITION_QUOTAS,
  QINGTUI_TOKEN_MIN_INTERVAL_MS,
} from './qingtui-platform.constants.js';
import { QingtuiTokenFetcher } from './qingtui-token.fetcher.js';

const FIELDS = ['name', 'platform', 'appId', 'appSecret', 'dailyQuota'] as const;

/** Qingtui has no rule to tune: its token facts are fixed (2 s rule, 30-day refresh_token). */
export type QingtuiRules = Record<never, never>;

/**
 * Qingtui (轻推): `/v1/token` with the AppSecret (one call per 2 s per app, each call replaces the
 * refresh_token), `/auth/autoRefreshToken` with the refresh_token, old tokens valid until their
 * own expiry; every call counts against the edition's daily quota; the probe reads one follower.
 */
export const qingtuiPlatform: TokenPlatform<'qingtui', QingtuiAppConfig, QingtuiRules> = {
  name: 'qingtui',
  label: 'Qingtui',
  defaultBaseUrl: QINGTUI_DEFAULT_BASE_URL,

  resolveRules: () => ({}),

  resolveApp(entry, at) {
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
        label: `Qingtui AppID ${appId}`,
        semantics: {
          refreshToken: true,
          minTokenCallIntervalMs: QINGTUI_TOKEN_MIN_INTERVAL_MS,
          clearQuota: false,
        },
        quota: { counted: ['token', 'refresh', 'api'], limit },
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
