/**
 * Qingtui's part of the sandbox configuration: its apps, editions and
 * defaults, and the resolved shape its emulation reads.
 */
import { checkNonEmptyString } from '../../shared/option-checks.js';
import type { TicketRules } from '../../shared/ticket-kinds.js';

/** Qingtui edition of an app. It decides the app's daily call quota. */
export type Edition = 'free-unverified' | 'free-verified' | 'enterprise';

/** The editions the platform knows, in quota order. */
export const EDITIONS: readonly Edition[] = ['free-unverified', 'free-verified', 'enterprise'];

/** A Qingtui app (轻应用/订阅号) registered on the sandbox platform. */
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

/**
 * The Qingtui demo app registered when no `apps` option is given. Its
 * credentials are public: they exist so that demos and tests can talk to a
 * fresh sandbox.
 */
export const SANDBOX_DEMO_APP: Readonly<Required<SandboxApp>> = Object.freeze({
  appId: 'demo-app-id',
  appSecret: 'demo-app-secret',
  edition: 'enterprise',
  followers: Object.freeze(['openid-alice', 'openid-bob', 'openid-carol']),
});

/** Default `expires_in` of access tokens (seconds): 2 hours, as on all three platforms. */
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

/** A Qingtui app with its defaults applied. */
export interface ResolvedApp {
  readonly appId: string;
  readonly appSecret: string;
  readonly edition: Edition;
  readonly followers: readonly string[];
  readonly followerSet: ReadonlySet<string>;
  /** The enterprise (domain) the app belongs to; written into its tokens. */
  readonly domainId: string;
}

/** What the Qingtui emulation reads from the resolved options. */
export interface ResolvedQingtuiOptions {
  readonly apps: ReadonlyMap<string, ResolvedApp>;
  readonly tokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly tokenIntervalMs: number;
  readonly tokenIntervalRefusalsRestart: boolean;
  readonly overlapSeconds: number | undefined;
  readonly tokenLength: number;
  readonly dailyQuota: Readonly<Record<Edition, number>>;
  /** Qingtui's ticket rules: the sandbox-wide `ticketTtlSeconds` and `ticketRepeat`. */
  readonly tickets: TicketRules;
  readonly now: () => number;
}

/**
 * Validates one Qingtui app and applies its defaults.
 * @throws TypeError or RangeError naming the app and the field
 */
export function resolveQingtuiApp(app: SandboxApp): ResolvedApp {
  if (typeof app?.appId !== 'string' || app.appId === '') {
    throw new TypeError('apps: appId must be a non-empty string');
  }
  const where = `apps["${app.appId}"]`;
  checkNonEmptyString(`${where}: appSecret`, app.appSecret);
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
