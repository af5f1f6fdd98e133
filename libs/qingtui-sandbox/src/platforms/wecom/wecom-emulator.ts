import type { IncomingMessage } from 'node:http';
import type { PlatformCounters } from '../../shared/counters.js';
import { FixedWindowCounter, minuteWindow } from '../../shared/fixed-window-counter.js';
import { ok, readJsonObject } from '../../shared/http-io.js';
import type { AdmittedCall, PlatformEmulator } from '../../shared/platform-emulator.js';
import { countPushes } from '../../shared/push-log.js';
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import { secretMatches } from '../../shared/secret-match.js';
import type { TicketKind, TicketStatus } from '../../shared/ticket-book.js';
import { type LedgerTokenStatus, TokenLedger } from '../../shared/token-ledger.js';
import { TokenRefusals } from '../../shared/token-refusals.js';
import { WECOM_ERRORS as E, WECOM_OK, WECOM_TOKEN_REFUSALS } from './wecom-errors.js';
import { WecomMessages } from './wecom-messages.js';
import { WecomTickets, wecomTokenRefusal } from './wecom-tickets.js';
import { type WecomTokenGrant, WecomTokenIssuer } from './wecom-token-issuer.js';
import type { ResolvedWecomApp, ResolvedWecomRules } from './wecom.options.js';

/** WeCom's paths, under `/cgi-bin/` like on qyapi.weixin.qq.com. */
export const WECOM_PATHS = Object.freeze({
  token: '/cgi-bin/gettoken',
  apiDomainIp: '/cgi-bin/get_api_domain_ip',
  /** The company ticket (kind `jsapi`). */
  jsapiTicket: '/cgi-bin/get_jsapi_ticket',
  /** The app ticket, `?type=agent_config`. */
  agentTicket: '/cgi-bin/ticket/get',
  messageSend: '/cgi-bin/message/send',
  messageRecall: '/cgi-bin/message/recall',
});

/** Largest `message/send` body read; beyond, 45002. */
const MESSAGE_BODY_LIMIT = 2 * 1024 * 1024;

/** The IPs `get_api_domain_ip` reports: documentation ranges (RFC 5737), never real servers. */
export const WECOM_API_DOMAIN_IPS: readonly string[] = Object.freeze([
  '192.0.2.40',
  '198.51.100.50',
  '203.0.113.60',
]);

/**
 * The WeCom platform (qyapi.weixin.qq.com): `/cgi-bin/gettoken` (one token
 * per app, the same answer while it is valid), `/cgi-bin/get_api_domain_ip`
 * as the business call that judges tokens, and the JS-SDK tickets
 * (`/cgi-bin/get_jsapi_ticket`, `/cgi-bin/ticket/get?type=agent_config`).
 */
export class WecomEmulator implements PlatformEmulator {
  private readonly ledger: TokenLedger;
  private readonly issuer: WecomTokenIssuer;
  /** `/cgi-bin/gettoken` calls per company per minute. */
  private readonly tokenMinute: FixedWindowCounter;
  private readonly refusals = new TokenRefusals('WeCom', WECOM_TOKEN_REFUSALS);
  private readonly tickets: WecomTickets;
  /** `message/send` and `message/recall`, with their record of deliveries and drops. */
  readonly messages: WecomMessages;
  /** corpId → its apps. */
  private readonly corps = new Map<string, ResolvedWecomApp[]>();

  constructor(
    private readonly apps: ReadonlyMap<string, ResolvedWecomApp>,
    private readonly rules: ResolvedWecomRules,
    now: () => number,
    private readonly counters: PlatformCounters,
  ) {
    this.ledger = new TokenLedger(now);
    this.issuer = new WecomTokenIssuer(this.ledger, rules, now);
    this.tokenMinute = new FixedWindowCounter(now, minuteWindow);
    this.tickets = new WecomTickets(apps, rules, now);
    this.messages = new WecomMessages(apps, rules, now);
    for (const app of apps.values()) {
      this.corps.set(app.corpId, [...(this.corps.get(app.corpId) ?? []), app]);
    }
  }

  async admit(path: string, query: URLSearchParams): Promise<AdmittedCall | undefined> {
    if (path === WECOM_PATHS.token) {
      const app = this.appOf(query.get('corpid'), query.get('corpsecret'));
      this.counters.bump(app?.key, 'tokenCalls');
      return this.call(app?.key, (method) => this.getToken(method, query, app));
    }
    if (path === WECOM_PATHS.apiDomainIp) {
      const status = this.ledger.inspect(query.get('access_token'));
      const appKey = 'appKey' in status ? status.appKey : undefined;
      this.counters.bump(appKey, 'apiCalls');
      if (status.state !== 'valid') this.counters.bump(appKey, 'invalidTokenCalls');
      return this.call(appKey, (method) => {
        const body = method === 'GET' ? apiDomainIp(status) : E.requireGet;
        if (body.errcode !== 0) this.counters.reject(appKey, 'apiRejected', body.errcode);
        return body;
      });
    }
    if (path === WECOM_PATHS.jsapiTicket || path === WECOM_PATHS.agentTicket) {
      const kind: TicketKind | undefined =
        path === WECOM_PATHS.jsapiTicket
          ? 'jsapi'
          : query.get('type') === 'agent_config'
            ? 'agent_config'
            : undefined;
      return this.ticketCall(query, kind);
    }
    if (path === WECOM_PATHS.messageSend || path === WECOM_PATHS.messageRecall) {
      return this.messageCall(query, path === WECOM_PATHS.messageSend ? 'send' : 'recall');
    }
    return undefined;
  }

  hasApp(appKey: string): boolean {
    return this.apps.has(appKey);
  }

  /** Early invalidation: the app's token gets 40014 from now on, and the next gettoken issues a new one. */
  revokeTokens(appKey?: string): void {
    this.ledger.killApp(appKey);
  }

  /** Sets or clears (`undefined`) a standing refusal of the app's `/cgi-bin/gettoken` calls. */
  setTokenRefusal(appKey: string, errcode: number | undefined): void {
    this.refusals.set(appKey, errcode);
  }

  currentToken(appKey: string): string | undefined {
    return this.issuer.currentToken(appKey);
  }

  isTokenValid(token: string): boolean {
    return this.ledger.inspect(token).state === 'valid';
  }

  ticketStatus(ticket: string): TicketStatus {
    return this.tickets.book.status(ticket);
  }

  /** WeCom has no daily quota in the sandbox (its limit is per minute). */
  quotaUsedToday(): number {
    return 0;
  }

  reset(): void {
    this.ledger.reset();
    this.issuer.reset();
    this.tokenMinute.reset();
    this.refusals.reset();
    this.tickets.reset();
    this.messages.reset();
  }

  /** The app these credentials name, if they name one. */
  private appOf(corpId: string | null, secret: string | null): ResolvedWecomApp | undefined {
    if (!corpId || !secret) return undefined;
    return this.corps.get(corpId)?.find((app) => secretMatches(app.secret, secret));
  }

  private getToken(
    method: string | undefined,
    query: URLSearchParams,
    app: ResolvedWecomApp | undefined,
  ): WecomTokenGrant | PlatformError {
    const answer = this.tokenAnswer(method, query, app);
    if (answer.errcode !== 0) this.counters.reject(app?.key, 'tokenRejected', answer.errcode);
    return answer;
  }

  private tokenAnswer(
    method: string | undefined,
    query: URLSearchParams,
    app: ResolvedWecomApp | undefined,
  ): WecomTokenGrant | PlatformError {
    if (method !== 'GET') return E.requireGet;
    const corpId = query.get('corpid');
    if (!corpId) return E.missingCorpId;
    if (!query.get('corpsecret')) return E.missingSecret;
    if (!this.corps.has(corpId)) return E.invalidCorpId;
    if (app === undefined) return E.invalidSecret;
    const refusal = this.refusals.of(app.key);
    if (refusal !== undefined) return refusal;
    const limit = this.rules.tokenCallsPerMinute;
    if (!this.tokenMinute.tryTake(corpId, limit)) {
      return platformError(E.frequencyLimit, `gettoken allows ${limit} calls a minute per corp`);
    }
    const { grant, issued } = this.issuer.fetch(app.key);
    this.counters.bump(app.key, 'tokenGrants');
    if (issued) this.counters.grant(app.key, 'credentials');
    return grant;
  }

  /** A ticket fetch: a business call, counted in the ticket counters too. */
  private ticketCall(query: URLSearchParams, kind: TicketKind | undefined): AdmittedCall {
    const status = this.ledger.inspect(query.get('access_token'));
    const appKey = 'appKey' in status ? status.appKey : undefined;
    this.counters.bump(appKey, 'apiCalls');
    this.counters.ticket(appKey, kind, 'calls');
    if (status.state !== 'valid') this.counters.bump(appKey, 'invalidTokenCalls');
    return this.call(appKey, (method) => {
      if (method !== 'GET') {
        this.counters.reject(appKey, 'apiRejected', E.requireGet.errcode);
        return E.requireGet;
      }
      const { body, issued } = this.tickets.fetch(status, kind);
      if (body.errcode !== 0) this.counters.reject(appKey, 'apiRejected', body.errcode);
      if (issued) this.counters.ticket(appKey, kind, 'grants');
      return body;
    });
  }

  /** `message/send` or `message/recall`: a business call, POST with a JSON body. */
  private messageCall(query: URLSearchParams, action: 'send' | 'recall'): AdmittedCall {
    const status = this.ledger.inspect(query.get('access_token'));
    const appKey = 'appKey' in status ? status.appKey : undefined;
    this.counters.bump(appKey, 'apiCalls');
    if (status.state !== 'valid') this.counters.bump(appKey, 'invalidTokenCalls');
    return {
      appKey,
      handle: async (req: IncomingMessage) => {
        const before = this.messages.log.size;
        const body = await this.messageAnswer(req, status, action);
        if (body.errcode !== 0) this.counters.reject(appKey, 'apiRejected', body.errcode);
        countPushes(this.counters, appKey, this.messages.log, before);
        return ok(body);
      },
    };
  }

  private async messageAnswer(
    req: IncomingMessage,
    status: LedgerTokenStatus,
    action: 'send' | 'recall',
  ): Promise<PlatformError> {
    if (req.method !== 'POST') return E.requirePost;
    if (status.state !== 'valid') return wecomTokenRefusal(status);
    const app = this.apps.get(status.appKey);
    if (app === undefined) return E.invalidAccessToken;
    const read = await readJsonObject(req, MESSAGE_BODY_LIMIT);
    if (!('json' in read)) {
      return read.problem === 'empty'
        ? E.emptyPostBody
        : read.problem === 'tooLarge'
          ? E.bodyTooLarge
          : E.dataFormatError;
    }
    return action === 'send'
      ? this.messages.send(app, read.json)
      : this.messages.recall(app, read.json);
  }

  private call(
    appKey: string | undefined,
    answer: (method: string | undefined) => object,
  ): AdmittedCall {
    return { appKey, handle: async (req: IncomingMessage) => ok(answer(req.method)) };
  }
}

function apiDomainIp(
  status: LedgerTokenStatus,
): PlatformError | { errcode: 0; errmsg: string; ip_list: string[] } {
  return status.state === 'valid'
    ? { ...WECOM_OK, ip_list: [...WECOM_API_DOMAIN_IPS] }
    : wecomTokenRefusal(status);
}
