import {
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
import type { WecomAppConfig } from './wecom-app-config.interface.js';
import { classifyWecomErrcode, wecomMinHoldMs } from './wecom-errcodes.js';
import { WecomTokenFetcher } from './wecom-token.fetcher.js';
import {
  WECOM_DEFAULT_BASE_URL,
  WECOM_MEMBER_MESSAGES_PER_HOUR,
  WECOM_MEMBER_MESSAGES_PER_MINUTE,
  WECOM_TICKET_HOURLY_LIMIT_APP,
  WECOM_TICKET_HOURLY_LIMIT_CORP,
} from './wecom.constants.js';

/** WeCom's tunable limits (`platformRules.wecom`). */
export interface WecomRules {
  /**
   * JS-SDK ticket fetches allowed per app and hour (both kinds together), across instances.
   * @default 100
   */
  ticketHourlyLimitApp?: number;
  /**
   * JS-SDK ticket fetches allowed per company and hour (every app, both kinds), across instances.
   * @default 400
   */
  ticketHourlyLimitCorp?: number;
  /**
   * Messages one app may send to one member per sliding minute, across instances; a send that
   * would pass it is refused before it is sent (WeCom would drop it silently).
   * @default 30
   */
  memberMessagesPerMinute?: number;
  /**
   * The same per sliding hour.
   * @default 1000
   */
  memberMessagesPerHour?: number;
}

const FIELDS = ['name', 'platform', 'corpId', 'agentId', 'secret', 'jsSafeDomains'] as const;

const WECOM_TICKET_KINDS: readonly string[] = Object.freeze(['jsapi', 'agent_config']);
/** The fetch semantics and quota counting of every WeCom app: one object for all. */
const WECOM_SEMANTICS = Object.freeze({
  repeatsWhileValid: 'same-answer' as const,
  refreshToken: false,
  clearQuota: false,
});
const WECOM_QUOTA = Object.freeze({ counted: Object.freeze([] as const) });
/**
 * WeCom (企业微信): `gettoken` with the corpid and the app's secret, one token per app, the same
 * answer while it is valid, early invalidation possible; 40001 on it is a wrong secret. No daily
 * quota on token calls (a per-minute limit per company); `get_api_domain_ip` as the probe.
 */
export const wecomPlatform: TokenPlatform<'wecom', WecomAppConfig, WecomRules> = {
  name: 'wecom',
  label: 'WeCom',
  defaultBaseUrl: WECOM_DEFAULT_BASE_URL,
  ticketKinds: WECOM_TICKET_KINDS,

  resolveRules(raw, field) {
    if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      throw new QingtuiConfigError(field, 'must be an object');
    }
    const r = (raw ?? {}) as Record<string, unknown>;
    knownFields(r, field, [
      'ticketHourlyLimitApp',
      'ticketHourlyLimitCorp',
      'memberMessagesPerMinute',
      'memberMessagesPerHour',
    ]);
    return {
      ticketHourlyLimitApp: numberInRange(
        r.ticketHourlyLimitApp,
        `${field}.ticketHourlyLimitApp`,
        WECOM_TICKET_HOURLY_LIMIT_APP,
        1,
        100_000,
      ),
      ticketHourlyLimitCorp: numberInRange(
        r.ticketHourlyLimitCorp,
        `${field}.ticketHourlyLimitCorp`,
        WECOM_TICKET_HOURLY_LIMIT_CORP,
        1,
        100_000,
      ),
      memberMessagesPerMinute: numberInRange(
        r.memberMessagesPerMinute,
        `${field}.memberMessagesPerMinute`,
        WECOM_MEMBER_MESSAGES_PER_MINUTE,
        1,
        100_000,
      ),
      memberMessagesPerHour: numberInRange(
        r.memberMessagesPerHour,
        `${field}.memberMessagesPerHour`,
        WECOM_MEMBER_MESSAGES_PER_HOUR,
        1,
        1_000_000,
      ),
    };
  },

  resolveApp(entry, at, rules) {
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
        appId: flatString(corpId, '/', agentId),
        keyNamespace: 'wecom',
        label: flatString('WeCom corpId ', corpId, ' agentId ', agentId),
        semantics: WECOM_SEMANTICS,
        quota: WECOM_QUOTA,
        tickets: {
          kinds: WECOM_TICKET_KINDS,
          configAppId: corpId,
          agent: { corpId, agentId },
          timestampUnit: 'seconds',
          domains: jsSafeDomains(entry.jsSafeDomains, `${at}.jsSafeDomains`),
          hourlyLimits: sharedPerRules(rules, 'hourlyLimits', () => ({
            app: rules.ticketHourlyLimitApp,
            corp: rules.ticketHourlyLimitCorp,
          })),
        },
        messageLimits: {
          perMemberMinute: rules.memberMessagesPerMinute,
          perMemberHour: rules.memberMessagesPerHour,
        },
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
