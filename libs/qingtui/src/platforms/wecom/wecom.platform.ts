import { knownFields, nonEmptyString, secretReader } from '../../config/option-checks.js';
import { QingtuiConfigError } from '../../errors/qingtui-config.error.js';
import type { TokenPlatform } from '../platform.interface.js';
import type { WecomAppConfig } from './wecom-app-config.interface.js';
import { classifyWecomErrcode, wecomMinHoldMs } from './wecom-errcodes.js';
import { WecomTokenFetcher } from './wecom-token.fetcher.js';
import { WECOM_DEFAULT_BASE_URL } from './wecom.constants.js';

/** WeCom has no rule to tune. */
export type WecomRules = Record<never, never>;

const FIELDS = ['name', 'platform', 'corpId', 'agentId', 'secret'] as const;

/**
 * WeCom (企业微信): `gettoken` with the corpid and the app's secret, one token per app, the same
 * answer while it is valid, early invalidation possible; 40001 on it is a wrong secret. No daily
 * quota on token calls (a per-minute limit per company); `get_api_domain_ip` as the probe.
 */
export const wecomPlatform: TokenPlatform<'wecom', WecomAppConfig, WecomRules> = {
  name: 'wecom',
  label: 'WeCom',
  defaultBaseUrl: WECOM_DEFAULT_BASE_URL,

  resolveRules: () => ({}),

  resolveApp(entry, at) {
    if (entry.dailyQuota !== undefined) {
      throw new QingtuiConfigError(
        `${at}.dailyQuota`,
        'does not apply to WeCom apps: WeCom limits gettoken per minute, not per day',
      );
    }
    knownFields(entry, at, FIELDS);
    const corpId = nonEmptyString(entry.corpId, `${at}.corpId`).trim();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(corpId)) {
      throw new QingtuiConfigError(`${at}.corpId`, 'may only hold letters, digits, "_" and "-"');
    }
    const agentId =
      typeof entry.agentId === 'number' && Number.isSafeInteger(entry.agentId) && entry.agentId >= 0
        ? String(entry.agentId)
        : typeof entry.agentId === 'string' && /^\d{1,20}$/.test(entry.agentId)
          ? entry.agentId
          : undefined;
    if (agentId === undefined) {
      throw new QingtuiConfigError(
        `${at}.agentId`,
        'must be a whole number (or a string of digits)',
      );
    }
    const secret = secretReader(entry.secret, `${at}.secret`, String(entry.name));
    return {
      app: {
        platform: 'wecom',
        // One token per app: the corpId alone would make a company's apps share a token, a
        // lock and a rate gate.
        appId: `${corpId}/${agentId}`,
        keyNamespace: 'wecom',
        label: `WeCom corpId ${corpId} agentId ${agentId}`,
        semantics: { repeatsWhileValid: 'same-answer', refreshToken: false, clearQuota: false },
        quota: { counted: [] },
      },
      secret,
    };
  },

  classify: classifyWecomErrcode,

  minHoldMs: wecomMinHoldMs,

  attachToken(config, token) {
    config.params = { ...(config.params as object | undefined), access_token: token };
  },

  createFetcher: (deps, app, secret) => new WecomTokenFetcher(deps, app, secret),
};
