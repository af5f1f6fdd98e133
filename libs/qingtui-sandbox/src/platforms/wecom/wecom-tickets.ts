import { FixedWindowCounter, hourWindow } from '../../shared/fixed-window-counter.js';
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import { TicketBook, type TicketKind } from '../../shared/ticket-book.js';
import type { LedgerTokenStatus } from '../../shared/token-ledger.js';
import { WECOM_ERRORS as E, WECOM_OK } from './wecom-errors.js';
import type { ResolvedWecomApp, ResolvedWecomRules } from './wecom.options.js';

/** Body of a successful ticket answer. */
export interface WecomTicketGrant {
  errcode: 0;
  errmsg: 'ok';
  ticket: string;
  expires_in: number;
}

/** A ticket answer, and whether it carries a new ticket. */
export interface WecomTicketOutcome {
  readonly body: WecomTicketGrant | PlatformError;
  readonly issued: boolean;
}

/**
 * WeCom's JS-SDK tickets: the company ticket (`/cgi-bin/get_jsapi_ticket`,
 * kind `jsapi`, for `wx.config`) and the app ticket
 * (`/cgi-bin/ticket/get?type=agent_config`, for `wx.agentConfig`), one of
 * each per app. Limits per clock hour (document 90506): every fetch of either
 * kind by any app of a company counts against `ticketHourlyLimitCorp` (400);
 * app-ticket fetches count against the app's `ticketHourlyLimitApp` (100) as
 * well. A fetch over a limit gets 45009 and uses none of either allowance.
 */
export class WecomTickets {
  readonly book: TicketBook;
  private readonly hourly: FixedWindowCounter;

  constructor(
    private readonly apps: ReadonlyMap<string, ResolvedWecomApp>,
    private readonly rules: ResolvedWecomRules,
    now: () => number,
  ) {
    this.book = new TicketBook('wecom', rules, now);
    this.hourly = new FixedWindowCounter(now, hourWindow);
  }

  /**
   * Answers a ticket fetch: token errors as on `get_api_domain_ip` (41001,
   * 40014, 42001), a missing or unknown `type` 40058, then the hourly limits.
   * @param kind undefined when the request names no kind WeCom serves
   */
  fetch(status: LedgerTokenStatus, kind: TicketKind | undefined): WecomTicketOutcome {
    if (status.state !== 'valid') return { body: wecomTokenRefusal(status), issued: false };
    const app = this.apps.get(status.appKey);
    if (app === undefined) return { body: E.invalidAccessToken, issued: false };
    if (kind === undefined) {
      return {
        body: platformError(E.invalidParameter, 'type must be agent_config'),
        issued: false,
      };
    }
    const refusal = this.takeAllowance(app, kind);
    if (refusal !== undefined) return { body: refusal, issued: false };
    const { ticket, expiresIn, issued } = this.book.fetch(app.key, kind);
    return { body: { ...WECOM_OK, ticket, expires_in: expiresIn }, issued };
  }

  reset(): void {
    this.book.reset();
    this.hourly.reset();
  }

  private takeAllowance(app: ResolvedWecomApp, kind: TicketKind): PlatformError | undefined {
    const { ticketHourlyLimitApp: appLimit, ticketHourlyLimitCorp: corpLimit } = this.rules;
    const corp = { key: `corp\n${app.corpId}`, limit: corpLimit };
    const own = { key: `app\n${app.key}`, limit: appLimit };
    const entries = kind === 'agent_config' ? [own, corp] : [corp];
    if (this.hourly.tryTakeAll(entries)) return undefined;
    const appOver = kind === 'agent_config' && this.hourly.used(own.key) >= appLimit;
    return platformError(
      E.frequencyLimit,
      appOver
        ? `the app ticket allows ${appLimit} calls an hour per app`
        : `tickets allow ${corpLimit} calls an hour per corp`,
    );
  }
}

/** How WeCom business calls refuse a token that is not valid: 41001, 40014, 42001. */
export function wecomTokenRefusal(
  status: Exclude<LedgerTokenStatus, { state: 'valid' }>,
): PlatformError {
  switch (status.state) {
    case 'missing':
      return E.missingAccessToken;
    case 'unknown':
    case 'invalid':
      return E.invalidAccessToken;
    case 'expired':
      return E.accessTokenExpired;
  }
}
