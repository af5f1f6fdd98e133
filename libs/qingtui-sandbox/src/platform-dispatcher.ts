import type { IncomingMessage } from 'node:http';
import { directoryRoutes } from './directory-handlers.js';
import { errcodeOf, isJsonObject, ok, parseJson, type Reply, readBody } from './http-io.js';
import { mediaRoutes } from './media-handlers.js';
import { MEDIA_SIZE_LIMITS } from './media-store.js';
import { messageRoutes } from './message-handlers.js';
import { PLATFORM_ERRORS as E, type PlatformError, platformError } from './platform-errors.js';
import type { ApiRoute, PlatformRoute, RouteTable } from './platform-route.js';
import type { PlatformState } from './platform-state.js';
import type { AccessTokenStatus } from './token-authority.js';
import { tokenRoutes } from './token-handlers.js';

/** A request to a known platform endpoint, identified and counted. */
export interface AdmittedCall {
  readonly route: PlatformRoute;
  readonly query: URLSearchParams;
  /** The app the call is attributed to, when it can be told. */
  readonly appId: string | undefined;
  /** API routes only: the access_token's status on arrival. */
  readonly tokenStatus: AccessTokenStatus | undefined;
}

const NOT_FOUND: Reply = { status: 404, json: { errcode: 404, errmsg: 'not found' } };
const EMPTY = Buffer.alloc(0);
/** Largest JSON body read. */
const JSON_BODY_LIMIT = 2 * 1024 * 1024;
/** Largest multipart body read: the file limit plus room for the part headers. */
const MULTIPART_BODY_LIMIT = MEDIA_SIZE_LIMITS.file + 64 * 1024;

/**
 * The platform's request pipeline, apart from transport and faults:
 * route → count → method → authentication → quota → body → handler.
 */
export class PlatformDispatcher {
  private readonly routes: RouteTable;

  constructor(private readonly state: PlatformState) {
    this.routes = new Map<string, PlatformRoute>(
      Object.entries({
        ...tokenRoutes(state),
        ...messageRoutes(state),
        ...mediaRoutes(state),
        ...directoryRoutes(),
      }),
    );
  }

  /**
   * Looks up the endpoint and counts the call. Runs once per request, before
   * faults, so faulted requests are counted too.
   * @returns undefined for an unknown path (not counted)
   */
  admit(path: string, query: URLSearchParams): AdmittedCall | undefined {
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
        if (tokenStatus.state !== 'valid') counters.bump(appId, 'invalidTokenCalls');
        return { route, query, appId, tokenStatus };
      }
    }
  }

  /** Answers a call (404 for an unknown path) and counts token grants and rejections. */
  async handle(call: AdmittedCall | undefined, req: IncomingMessage): Promise<Reply> {
    if (call === undefined) return NOT_FOUND;
    const reply = await this.answer(call, req);
    const { route, appId } = call;
    if (route.kind === 'api') return reply;
    // A grant is the only answer without an errcode.
    const errcode = errcodeOf(reply);
    if (errcode === undefined) this.state.counters.bump(appId, `${route.kind}Grants` as const);
    else this.state.counters.reject(appId, `${route.kind}Rejected` as const, errcode);
    return reply;
  }

  private async answer(
    { route, query, tokenStatus }: AdmittedCall,
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
