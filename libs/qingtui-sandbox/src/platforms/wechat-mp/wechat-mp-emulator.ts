import type { IncomingMessage } from 'node:http';
import type { PlatformCounters, RejectionKind } from '../../shared/counters.js';
import { type JsonObjectResult, ok, readJsonObject, type Reply } from '../../shared/http-io.js';
import type { AdmittedCall, PlatformEmulator } from '../../shared/platform-emulator.js';
import { countPushes } from '../../shared/push-log.js';
import type { PlatformError } from '../../shared/platform-error.js';
import type { TicketStatus } from '../../shared/ticket-book.js';
import { WECHAT_ERRORS as E } from './wechat-mp-errors.js';
import {
  callbackIp,
  classicToken,
  clearQuota,
  getTicket,
  stableToken,
  tokenRefusal,
  WECHAT_TICKET_TYPES,
  type WechatOutcome,
} from './wechat-mp-handlers.js';
import { type WechatSendApi, WechatMessages } from './wechat-messages.js';
import { WechatMpState } from './wechat-mp-state.js';
import type { ResolvedWechatApp, ResolvedWechatRules } from './wechat-mp.options.js';

/** WeChat's paths, all under `/cgi-bin/` like on api.weixin.qq.com. */
export const WECHAT_PATHS = Object.freeze({
  token: '/cgi-bin/token',
  stableToken: '/cgi-bin/stable_token',
  clearQuota: '/cgi-bin/clear_quota/v2',
  callbackIp: '/cgi-bin/getcallbackip',
  ticket: '/cgi-bin/ticket/getticket',
  templateSend: '/cgi-bin/message/template/send',
  subscribeSend: '/cgi-bin/message/subscribe/bizsend',
  customSend: '/cgi-bin/message/custom/send',
  massSend: '/cgi-bin/message/mass/send',
});

/** Largest JSON body read on the token POST endpoints. */
const JSON_BODY_LIMIT = 64 * 1024;
/** Largest JSON body read on the message sends (a mass send lists up to 10,000 openids). */
const SEND_BODY_LIMIT = 2 * 1024 * 1024;

const SEND_APIS: ReadonlyMap<string, WechatSendApi> = new Map([
  [WECHAT_PATHS.templateSend, 'template'],
  [WECHAT_PATHS.subscribeSend, 'subscribe'],
  [WECHAT_PATHS.customSend, 'custom'],
  [WECHAT_PATHS.massSend, 'mass'],
]);

type RouteKind = 'token' | 'stable' | 'clearQuota' | 'api' | 'ticket';

interface Route {
  readonly kind: RouteKind;
  readonly method: 'GET' | 'POST';
}

const ROUTES: ReadonlyMap<string, Route> = new Map([
  [WECHAT_PATHS.token, { kind: 'token', method: 'GET' }],
  [WECHAT_PATHS.stableToken, { kind: 'stable', method: 'POST' }],
  [WECHAT_PATHS.clearQuota, { kind: 'clearQuota', method: 'POST' }],
  [WECHAT_PATHS.callbackIp, { kind: 'api', method: 'GET' }],
  [WECHAT_PATHS.ticket, { kind: 'ticket', method: 'GET' }],
]);

/** Where each endpoint's calls, successes and rejections are counted. */
const COUNTED = {
  token: { calls: 'tokenCalls', successes: 'tokenGrants', rejected: 'tokenRejected' },
  stable: { calls: 'stableCalls', successes: 'stableGrants', rejected: 'stableRejected' },
  clearQuota: {
    calls: 'quotaResetCalls',
    successes: 'quotaResets',
    rejected: 'quotaResetRejected',
  },
  api: { calls: 'apiCalls', successes: undefined, rejected: 'apiRejected' },
  // A ticket fetch is a business call; it counts in the ticket counters too.
  ticket: { calls: 'apiCalls', successes: undefined, rejected: 'apiRejected' },
} as const satisfies Record<
  RouteKind,
  { calls: string; successes?: string; rejected: RejectionKind }
>;

/**
 * The WeChat Official Account platform (api.weixin.qq.com): `/cgi-bin/token`
 * (each call kills the previous token after the overlap), `/cgi-bin/stable_token`
 * (self-rotation, budgeted force refresh), `/cgi-bin/clear_quota/v2`, and
 * `/cgi-bin/getcallbackip` as the business call that judges tokens.
 */
export class WechatMpEmulator implements PlatformEmulator {
  private readonly state: WechatMpState;
  /** The four send APIs, with their record of deliveries and drops. */
  readonly messages: WechatMessages;

  constructor(
    apps: ReadonlyMap<string, ResolvedWechatApp>,
    rules: ResolvedWechatRules,
    now: () => number,
    private readonly counters: PlatformCounters,
  ) {
    this.state = new WechatMpState(apps, rules, now);
    this.messages = new WechatMessages(now);
  }

  async admit(
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
  ): Promise<AdmittedCall | undefined> {
    const sendApi = SEND_APIS.get(path);
    if (sendApi !== undefined) return this.sendCall(sendApi, query);
    const route = ROUTES.get(path);
    if (route === undefined) return undefined;
    switch (route.kind) {
      case 'token':
        return this.counted(route, this.knownApp(query.get('appid')), (method) =>
          method === 'GET' ? classicToken(this.state, query) : { body: E.requireGet },
        );
      case 'stable':
      case 'clearQuota': {
        // The appid is in the body: read it now, so faulted calls are attributed too.
        const body = req.method === 'POST' ? await readJsonObject(req, JSON_BODY_LIMIT) : undefined;
        const appKey =
          body !== undefined && 'json' in body ? this.knownApp(body.json.appid) : undefined;
        const handler = route.kind === 'stable' ? stableToken : clearQuota;
        return this.counted(route, appKey, () =>
          body === undefined
            ? { body: E.requirePost }
            : this.withJson(body, (json) => handler(this.state, json)),
        );
      }
      case 'api':
      case 'ticket': {
        const status = this.state.ledger.inspect(query.get('access_token'));
        const appKey = 'appKey' in status ? status.appKey : undefined;
        if (status.state !== 'valid') this.counters.bump(appKey, 'invalidTokenCalls');
        if (route.kind === 'api') {
          return this.counted(route, appKey, (method) =>
            method === 'GET' ? callbackIp(status) : { body: E.requireGet },
          );
        }
        const type = query.get('type');
        const kind = WECHAT_TICKET_TYPES.find((known) => known === type);
        this.counters.ticket(appKey, kind, 'calls');
        return this.counted(route, appKey, (method) =>
          method === 'GET' ? getTicket(this.state, status, kind) : { body: E.requireGet },
        );
      }
    }
  }

  hasApp(appKey: string): boolean {
    return this.state.apps.has(appKey);
  }

  revokeTokens(appKey?: string): void {
    this.state.ledger.killApp(appKey);
  }

  /**
   * Sets or clears (`undefined`) a standing refusal of the app's token
   * fetches on `/cgi-bin/token` and `/cgi-bin/stable_token`.
   */
  setTokenRefusal(appKey: string, errcode: number | undefined): void {
    this.state.refusals.set(appKey, errcode);
  }

  currentToken(appKey: string): string | undefined {
    return this.state.classic.newestToken(appKey);
  }

  /** The token `/cgi-bin/stable_token` normal mode holds for the app, valid or not. */
  currentStableToken(appKey: string): string | undefined {
    return this.state.stable.currentToken(appKey);
  }

  isTokenValid(token: string): boolean {
    return this.state.ledger.inspect(token).state === 'valid';
  }

  ticketStatus(ticket: string): TicketStatus {
    return this.state.tickets.status(ticket);
  }

  quotaUsedToday(appKey: string): number {
    return this.state.tokenDaily.used(appKey);
  }

  reset(): void {
    this.state.reset();
    this.messages.reset();
  }

  /** A message send: a business call, POST with a JSON body, its deliveries and drops counted. */
  private sendCall(api: WechatSendApi, query: URLSearchParams): AdmittedCall {
    const status = this.state.ledger.inspect(query.get('access_token'));
    const appKey = 'appKey' in status ? status.appKey : undefined;
    this.counters.bump(appKey, 'apiCalls');
    if (status.state !== 'valid') this.counters.bump(appKey, 'invalidTokenCalls');
    return {
      appKey,
      handle: async (req) => {
        const before = this.messages.log.size;
        let body: object;
        if (req.method !== 'POST') body = E.requirePost;
        else if (status.state !== 'valid') body = tokenRefusal(status);
        else {
          const read = await readJsonObject(req, SEND_BODY_LIMIT);
          body = this.withJson(read, (json) => ({
            body: this.messages.send(api, status.appKey, json),
          })).body;
        }
        const errcode = (body as { errcode?: unknown }).errcode;
        if (typeof errcode === 'number' && errcode !== 0) {
          this.counters.reject(appKey, 'apiRejected', errcode);
        }
        countPushes(this.counters, appKey, this.messages.log, before);
        return ok(body);
      },
    };
  }

  private knownApp(appId: unknown): string | undefined {
    return typeof appId === 'string' && this.state.apps.has(appId) ? appId : undefined;
  }

  private withJson(
    body: JsonObjectResult,
    handle: (json: Record<string, unknown>) => WechatOutcome,
  ): WechatOutcome {
    if ('json' in body) return handle(body.json);
    const problems: Record<typeof body.problem, PlatformError> = {
      empty: E.emptyPostBody,
      tooLarge: E.bodyTooLarge,
      notJson: E.dataFormatError,
      notObject: E.dataFormatError,
    };
    return { body: problems[body.problem] };
  }

  /** Counts the call now, and its outcome when it is handled. */
  private counted(
    route: Route,
    appKey: string | undefined,
    answer: (method: string | undefined) => WechatOutcome,
  ): AdmittedCall {
    const counted = COUNTED[route.kind];
    this.counters.bump(appKey, counted.calls);
    return {
      appKey,
      handle: async (req) => {
        const { body, issued, ticketIssued } = answer(req.method);
        const errcode = (body as { errcode?: unknown }).errcode;
        if (typeof errcode === 'number' && errcode !== 0) {
          this.counters.reject(appKey, counted.rejected, errcode);
        } else if (counted.successes !== undefined) {
          this.counters.bump(appKey, counted.successes);
        }
        if (issued !== undefined && appKey !== undefined) this.counters.grant(appKey, issued);
        if (ticketIssued !== undefined) this.counters.ticket(appKey, ticketIssued, 'grants');
        return ok(body) satisfies Reply;
      },
    };
  }
}
