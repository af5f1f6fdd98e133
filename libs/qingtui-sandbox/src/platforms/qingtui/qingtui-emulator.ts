import type { IncomingMessage } from 'node:http';
import type { PlatformCounters } from '../../shared/counters.js';
import {
  errcodeOf,
  isJsonObject,
  ok,
  parseJson,
  type Reply,
  readBody,
} from '../../shared/http-io.js';
import type { AdmittedCall, PlatformEmulator } from '../../shared/platform-emulator.js';
import type { TicketStatus } from '../../shared/ticket-book.js';
import { directoryRoutes } from './directory-handlers.js';
import { mediaRoutes } from './media-handlers.js';
import { MEDIA_SIZE_LIMITS } from './media-store.js';
import { messageRoutes } from './message-handlers.js';
import { PLATFORM_ERRORS as E, type PlatformError, platformError } from './qingtui-errors.js';
import type { ApiRoute, PlatformRoute, RouteTable } from './qingtui-route.js';
import { QingtuiState } from './qingtui-state.js';
import { ticketRoutes } from './ticket-handlers.js';
import type { ResolvedQingtuiOptions } from './qingtui.options.js';
import type { AccessTokenStatus } from './token-authority.js';
import { tokenRoutes } from './token-handlers.js';

/** A request to a known Qingtui endpoint, identified and counted. */
interface QingtuiCall {
  readonly route: PlatformRoute;
  readonly query: URLSearchParams;
  /** The app the call is attributed to, when it can be told. */
  readonly appId: string | undefined;
  /** API routes only: the access_token's status on arrival. */
  readonly tokenStatus: AccessTokenStatus | undefined;
}

const EMPTY = Buffer.alloc(0);
/** Largest JSON body read. */
const JSON_BODY_LIMIT = 2 * 1024 * 1024;
/** Largest multipart body read: the file limit plus room for the part headers. */
const MULTIPART_BODY_LIMIT = MEDIA_SIZE_LIMITS.file + 64 * 1024;

/**
 * The Qingtui platform (open.qingtui.cn): tokens with the 2 s rule and
 * refresh_tokens, message sends, media uploads and directory lookups. Its
 * request pipeline, apart from transport and faults:
 * route → count → method → authentication → quota → body → handler.
 */
export class QingtuiEmulator implements PlatformEmulator {
  /** The platform's memory: tokens, limits, deliveries, media. */
  readonly state: QingtuiState;
  private readonly routes: RouteTable;

  constructor(options: ResolvedQingtuiOptions, counters: PlatformCounters) {
    const state = new QingtuiState(options, counters);
    this.state = state;
    this.routes = new Map<string, PlatformRoute>(
      Object.entries({
        ...tokenRoutes(state),
        ...messageRoutes(state),
        ...mediaRoutes(state),
        ...directoryRoutes(),
        ...ticketRoutes(state),
      }),
    );
  }

  async admit(path: string, query: URLSearchParams): Promise<AdmittedCall | undefined> {
    const call = this.identify(path, query);
    if (call === undefined) return undefined;
    return { appKey: call.appId, handle: (req) => this.handle(call, req) };
  }

  hasApp(appKey: string): boolean {
    return this.state.app(appKey) !== undefined;
  }

  /** Every access_token of the app (all apps) gets 40014 from now on. */
  revokeTokens(appKey?: string): void {
    this.state.tokens.revokeAccessTokens(appKey);
  }

  /** The current refresh_token of the app (all apps) gets 40402 from now on. */
  killRefreshTokens(appKey?: string): void {
    this.state.tokens.killRefreshTokens(appKey);
  }

  currentToken(appKey: string): string | undefined {
    return this.state.tokens.newestAccessToken(appKey);
  }

  isTokenValid(token: string): boolean {
    return this.state.tokens.inspect(token).state === 'valid';
  }

  ticketStatus(ticket: string): TicketStatus {
    return this.state.tickets.status(ticket);
  }

  quotaUsedToday(appKey: string): number {
    return this.state.limits.usedToday(appKey);
  }

  reset(): void {
    this.state.reset();
  }

  /** Looks up the endpoint and counts the call. */
  private identify(path: string, query: URLSearchParams): QingtuiCall | undefined {
    const route = this.routes.get(path);
    if (route === undefined) return undefined;
    const { counters, tokens } = this.state;
    switch (route.kind) {
      case 'token': {
        const appid = query.get('appid');
        const appId = appid !== null && this.state.app(appid) !== undefined ? appid : undefined;
        counters.bump(appId, 'tokenCalls');
        return { route, query, appId, tokenStatus: undefined };
      }
      case 'refresh': {
        const refreshToken = query.get('refresh_token');
        const appId = refreshToken ? tokens.refreshTokenOwner(refreshToken) : undefined;
        counters.bump(appId, 'refreshCalls');
        return { route, query, appId, tokenStatus: undefined };
      }
      case 'api': {
        // The Java SDK sends accessToken on /team GETs; everyone else access_token.
        const tokenStatus = tokens.inspect(query.get('access_token') || query.get('accessToken'));
        const appId = 'appId' in tokenStatus ? tokenStatus.appId : undefined;
        counters.bump(appId, 'apiCalls');
        if (route.ticket !== undefined) counters.ticket(appId, route.ticket, 'calls');
        if (tokenStatus.state !== 'valid') counters.bump(appId, 'invalidTokenCalls');
        return { route, query, appId, tokenStatus };
      }
    }
  }

  /** Answers a call and counts grants and rejections. */
  private async handle(call: QingtuiCall, req: IncomingMessage): Promise<Reply> {
    const reply = await this.answer(call, req);
    const { route, appId } = call;
    const { counters } = this.state;
    const errcode = errcodeOf(reply);
    if (route.kind === 'api') {
      if (errcode !== undefined && errcode !== 0) counters.reject(appId, 'apiRejected', errcode);
      return reply;
    }
    // A grant is the only answer without an errcode.
    if (errcode === undefined) {
      counters.bump(appId, `${route.kind}Grants` as const);
      if (appId !== undefined) {
        counters.grant(appId, route.kind === 'token' ? 'credentials' : 'refresh');
      }
    } else {
      counters.reject(appId, `${route.kind}Rejected` as const, errcode);
    }
    return reply;
  }

  private async answer(
    { route, query, tokenStatus }: QingtuiCall,
    req: IncomingMessage,
  ): Promise<Reply> {
    if (req.method !== route.method) {
      return ok(route.method === 'GET' ? E.requireGet : E.requirePost);
    }
    if (route.kind !== 'api') return ok(route.handle(query));

    if (tokenStatus?.state !== 'valid') return ok(tokenError(tokenStatus));
    const app = this.state.app(tokenStatus.appId);
    if (app === undefined) return ok(E.invalidAccessToken);
    const quotaError = this.state.chargeQuota(app);
    if (quotaError !== undefined) return ok(quotaError);

    const contentType = req.headers['content-type'];
    if (route.body === 'none') {
      return ok(route.handle({ app, query, json: {}, body: EMPTY, contentType }));
    }
    const body = await this.readRouteBody(route, req);
    if (!Buffer.isBuffer(body)) return ok(body);
    if (route.body === 'multipart') {
      return ok(route.handle({ app, query, json: {}, body, contentType }));
    }

    if (body.length === 0) return ok(E.emptyPostBody);
    const json = parseJson(body);
    if (json === undefined) return ok(E.jsonParseError);
    if (!isJsonObject(json)) {
      return ok(platformError(E.invalidParameter, 'the body must be a JSON object'));
    }
    return ok(route.handle({ app, query, json, body, contentType }));
  }

  private async readRouteBody(
    route: ApiRoute,
    req: IncomingMessage,
  ): Promise<Buffer | PlatformError> {
    const multipart = route.body === 'multipart';
    const result = await readBody(req, multipart ? MULTIPART_BODY_LIMIT : JSON_BODY_LIMIT);
    if ('body' in result) return result.body;
    return multipart
      ? E.invalidFileSize
      : platformError(E.contentTooLong, 'request body too large');
  }
}

function tokenError(status: AccessTokenStatus | undefined): PlatformError {
  switch (status?.state) {
    case undefined:
    case 'missing':
      return E.missingAccessToken;
    case 'expired':
      return E.accessTokenExpired;
    default:
      return E.invalidAccessToken;
  }
}
