import {
  beijingDayWindow,
  beijingMonthWindow,
  FixedWindowCounter,
  minuteWindow,
} from '../../shared/fixed-window-counter.js';
import type { PlatformError } from '../../shared/platform-error.js';
import { secretMatches } from '../../shared/secret-match.js';
import { TokenLedger } from '../../shared/token-ledger.js';
import { TicketBook } from '../../shared/ticket-book.js';
import { TokenRefusals } from '../../shared/token-refusals.js';
import { ClassicTokenIssuer } from './classic-token-issuer.js';
import { StableTokenIssuer } from './stable-token-issuer.js';
import { WECHAT_ERRORS as E, WECHAT_TOKEN_REFUSALS } from './wechat-mp-errors.js';
import type { ResolvedWechatApp, ResolvedWechatRules } from './wechat-mp.options.js';

/** Everything the emulated WeChat platform remembers. */
export class WechatMpState {
  /** Every token of both families, judged on business calls. */
  readonly ledger: TokenLedger;
  readonly classic: ClassicTokenIssuer;
  readonly stable: StableTokenIssuer;
  /** `/cgi-bin/token` calls per app per day. */
  readonly tokenDaily: FixedWindowCounter;
  /** `/cgi-bin/stable_token` calls per app per minute. */
  readonly stableMinute: FixedWindowCounter;
  /** `/cgi-bin/stable_token` calls per app per day. */
  readonly stableDaily: FixedWindowCounter;
  /** Successful `/cgi-bin/clear_quota/v2` calls per app per month. */
  readonly quotaClears: FixedWindowCounter;
  readonly refusals = new TokenRefusals('WeChat', WECHAT_TOKEN_REFUSALS);
  /** `/cgi-bin/ticket/getticket` tickets, jsapi and wx_card. */
  readonly tickets: TicketBook;

  constructor(
    readonly apps: ReadonlyMap<string, ResolvedWechatApp>,
    readonly rules: ResolvedWechatRules,
    readonly now: () => number,
  ) {
    this.ledger = new TokenLedger(now);
    this.classic = new ClassicTokenIssuer(this.ledger, rules, now);
    this.stable = new StableTokenIssuer(this.ledger, rules, now);
    this.tokenDaily = new FixedWindowCounter(now, beijingDayWindow);
    this.stableMinute = new FixedWindowCounter(now, minuteWindow);
    this.stableDaily = new FixedWindowCounter(now, beijingDayWindow);
    this.quotaClears = new FixedWindowCounter(now, beijingMonthWindow);
    this.tickets = new TicketBook('wechat-mp', rules, now);
  }

  /**
   * The app these credentials authenticate: 41002 / 41004 when one is
   * missing, 40013 for an unknown appid, 40125 for a wrong secret.
   */
  authenticate(appId: unknown, secret: unknown): ResolvedWechatApp | PlatformError {
    if (typeof appId !== 'string' || appId === '') return E.missingAppId;
    if (typeof secret !== 'string' || secret === '') return E.missingSecret;
    const app = this.apps.get(appId);
    if (app === undefined) return E.invalidAppId;
    return secretMatches(app.appSecret, secret) ? app : E.invalidAppSecret;
  }

  /** Forgets tokens, limits' use and refusals. */
  reset(): void {
    this.ledger.reset();
    this.classic.reset();
    this.stable.reset();
    this.tokenDaily.reset();
    this.stableMinute.reset();
    this.stableDaily.reset();
    this.quotaClears.reset();
    this.refusals.reset();
    this.tickets.reset();
  }
}
