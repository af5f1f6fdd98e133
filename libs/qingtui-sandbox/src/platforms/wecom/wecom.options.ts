/**
 * The WeCom (企业微信) part of the sandbox configuration: its apps, its rules
 * with their platform defaults, and their resolution.
 */
import {
  checkLimit,
  checkNonEmptyString,
  checkOneOf,
  checkPositive,
} from '../../shared/option-checks.js';
import type { TicketRepeat, TicketRules } from '../../shared/ticket-kinds.js';
import { resolveTicketRules } from '../../shared/ticket-options.js';

/** A WeCom app (自建应用) registered on the sandbox. */
export interface WecomSandboxApp {
  /** The company's corpid, as sent to `/cgi-bin/gettoken`. */
  corpId: string;
  /**
   * The app's agentid. With the corpId it names the app in counters and on
   * the control API: app key `"<corpId>/<agentId>"`.
   */
  agentId: string | number;
  /** The app's secret (corpsecret). It alone tells the company's apps apart on `/cgi-bin/gettoken`. */
  secret: string;
}

/** WeCom's rules, with the platform's values as defaults. */
export interface WecomRules {
  /**
   * Lifetime of WeCom access tokens, in seconds: the `expires_in` of a grant.
   * @default the sandbox's `tokenTtlSeconds` (7200)
   */
  tokenTtlSeconds?: number;
  /**
   * `/cgi-bin/gettoken` calls per company per minute; beyond, 45009.
   * `Infinity`: no limit.
   * @default 1000
   */
  tokenCallsPerMinute?: number;
  /**
   * The `expires_in` of a repeated `/cgi-bin/gettoken` answer (the same token,
   * fetched again while it is valid). The document says only "有效期内重复获取
   * 返回相同结果" (seed 002): `'as-issued'` reads "the same result" literally,
   * the `expires_in` the token was issued with (7200), so that an answer does
   * not tell how old the token is; `'time-left'` answers the seconds it has
   * left. The library is correct under both.
   * @default 'as-issued'
   */
  repeatedExpiresIn?: 'as-issued' | 'time-left';
  /**
   * Lifetime of the company ticket (`/cgi-bin/get_jsapi_ticket`) and the app
   * ticket (`/cgi-bin/ticket/get?type=agent_config`), in seconds; every
   * answer's `expires_in`.
   * @default the sandbox's `ticketTtlSeconds` (7200)
   */
  ticketTtlSeconds?: number;
  /**
   * A ticket fetch while the current ticket lives: `'same'` answers it again
   * (with `expires_in` reset to the whole lifetime), `'new'` issues a new one.
   * @default the sandbox's `ticketRepeat` ('same')
   */
  ticketRepeat?: TicketRepeat;
  /**
   * App ticket (`type=agent_config`) fetches per app per clock hour; beyond,
   * 45009. The company ticket is not counted here (document 90506 limits it
   * per company). `Infinity`: no limit.
   * @default 100
   */
  ticketHourlyLimitApp?: number;
  /**
   * Ticket fetches per company per clock hour, both kinds of every app of the
   * company; beyond, 45009. `Infinity`: no limit.
   * @default 400
   */
  ticketHourlyLimitCorp?: number;
  /**
   * `message/send`: messages per app per member per calendar minute; beyond,
   * the member is silently skipped (errcode 0, nothing delivered, a drop
   * recorded). `Infinity`: no limit.
   * @default 30
   */
  messagesPerMemberMinute?: number;
  /**
   * `message/send`: messages per app per member per clock hour; beyond, as
   * for the minute limit. `Infinity`: no limit.
   * @default 1000
   */
  messagesPerMemberHour?: number;
}

/**
 * The WeCom demo app registered when no `wecomApps` option is given. Its
 * credentials are public and only work against the sandbox.
 */
export const SANDBOX_DEMO_WECOM_APP: Readonly<WecomSandboxApp> = Object.freeze({
  corpId: 'ww-demo-corp-id',
  agentId: '1000002',
  secret: 'ww-demo-app-secret',
});

/** WeCom's documented values, the defaults of {@link WecomRules}. */
export const DEFAULT_WECOM_RULES = Object.freeze({
  tokenCallsPerMinute: 1000,
  repeatedExpiresIn: 'as-issued' as const,
  ticketHourlyLimitApp: 100,
  ticketHourlyLimitCorp: 400,
  messagesPerMemberMinute: 30,
  messagesPerMemberHour: 1000,
});

/** A WeCom app as the emulation reads it. */
export interface ResolvedWecomApp {
  /** `"<corpId>/<agentId>"`: the app's name in counters and on the control API. */
  readonly key: string;
  readonly corpId: string;
  readonly agentId: string;
  readonly secret: string;
}

/** {@link WecomRules} with every default applied. */
export type ResolvedWecomRules = Readonly<Required<WecomRules>>;

/** The key that names a WeCom app in counters and on the control API: `"<corpId>/<agentId>"`. */
export function wecomAppKey(corpId: string, agentId: string | number): string {
  return `${corpId}/${String(agentId)}`;
}

/**
 * Validates the WeCom apps.
 * @throws TypeError or RangeError naming the app and the field
 */
export function resolveWecomApps(
  apps: readonly WecomSandboxApp[] | undefined,
): Map<string, ResolvedWecomApp> {
  if (apps !== undefined && !Array.isArray(apps)) {
    throw new TypeError('wecomApps must be an array of { corpId, agentId, secret }');
  }
  const resolved = new Map<string, ResolvedWecomApp>();
  const secrets = new Set<string>();
  for (const app of apps ?? [SANDBOX_DEMO_WECOM_APP]) {
    const corpId = checkNonEmptyString('wecomApps: corpId', app?.corpId);
    if (corpId.includes('/')) throw new RangeError(`wecomApps: corpId "${corpId}" contains "/"`);
    const agentId = agentIdOf(corpId, app.agentId);
    const key = wecomAppKey(corpId, agentId);
    const secret = checkNonEmptyString(`wecomApps["${key}"]: secret`, app.secret);
    if (resolved.has(key)) throw new RangeError(`wecomApps: duplicate app "${key}"`);
    // gettoken names the app by its secret: two apps of a company cannot share one.
    if (secrets.has(`${corpId}\n${secret}`)) {
      throw new RangeError(`wecomApps["${key}"]: another app of ${corpId} has the same secret`);
    }
    secrets.add(`${corpId}\n${secret}`);
    resolved.set(key, { key, corpId, agentId, secret });
  }
  return resolved;
}

/**
 * Applies the defaults of the WeCom rules and checks them.
 * @param defaultTtlSeconds the sandbox-wide `tokenTtlSeconds`
 * @param ticketDefaults the sandbox-wide `ticketTtlSeconds` and `ticketRepeat`
 * @throws RangeError naming the rule
 */
export function resolveWecomRules(
  rules: WecomRules = {},
  defaultTtlSeconds: number,
  ticketDefaults: TicketRules,
): ResolvedWecomRules {
  return Object.freeze({
    tokenTtlSeconds: checkPositive(
      'wecomRules.tokenTtlSeconds',
      rules.tokenTtlSeconds ?? defaultTtlSeconds,
    ),
    tokenCallsPerMinute: checkLimit(
      'wecomRules.tokenCallsPerMinute',
      rules.tokenCallsPerMinute ?? DEFAULT_WECOM_RULES.tokenCallsPerMinute,
    ),
    repeatedExpiresIn: checkOneOf(
      'wecomRules.repeatedExpiresIn',
      rules.repeatedExpiresIn ?? DEFAULT_WECOM_RULES.repeatedExpiresIn,
      ['as-issued', 'time-left'] as const,
    ),
    ...resolveTicketRules('wecomRules.', rules, ticketDefaults),
    ticketHourlyLimitApp: checkLimit(
      'wecomRules.ticketHourlyLimitApp',
      rules.ticketHourlyLimitApp ?? DEFAULT_WECOM_RULES.ticketHourlyLimitApp,
    ),
    ticketHourlyLimitCorp: checkLimit(
      'wecomRules.ticketHourlyLimitCorp',
      rules.ticketHourlyLimitCorp ?? DEFAULT_WECOM_RULES.ticketHourlyLimitCorp,
    ),
    messagesPerMemberMinute: checkLimit(
      'wecomRules.messagesPerMemberMinute',
      rules.messagesPerMemberMinute ?? DEFAULT_WECOM_RULES.messagesPerMemberMinute,
    ),
    messagesPerMemberHour: checkLimit(
      'wecomRules.messagesPerMemberHour',
      rules.messagesPerMemberHour ?? DEFAULT_WECOM_RULES.messagesPerMemberHour,
    ),
  });
}

function agentIdOf(corpId: string, agentId: unknown): string {
  const text = typeof agentId === 'number' && Number.isInteger(agentId) ? String(agentId) : agentId;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw new TypeError(
      `wecomApps (corpId ${corpId}): agentId must be a number or a string of digits`,
    );
  }
  return text;
}
