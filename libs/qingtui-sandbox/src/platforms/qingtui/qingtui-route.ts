import type { TicketKind } from '../../shared/ticket-book.js';
import type { ResolvedApp } from './qingtui.options.js';

/** An authenticated API request, as a handler sees it. */
export interface ApiRequest {
  /** The app the access_token belongs to. */
  readonly app: ResolvedApp;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a `json` route; `{}` for other routes. */
  readonly json: Record<string, unknown>;
  /** The raw body of a `multipart` route; empty for other routes. */
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

/** `/v1/token` and `/auth/autoRefreshToken`: authenticated by their own query parameters. */
export interface TokenRoute {
  readonly kind: 'token' | 'refresh';
  readonly method: 'GET';
  /** Returns the JSON answer: a grant or a platform error. */
  handle(query: URLSearchParams): object;
}

/** Every other endpoint: authenticated by access_token, charged to the daily quota. */
export interface ApiRoute {
  readonly kind: 'api';
  readonly method: 'GET' | 'POST';
  /** How the body is read before the handler runs. */
  readonly body: 'none' | 'json' | 'multipart';
  /** A JS-SDK ticket endpoint: its calls count in the ticket counters of this kind too. */
  readonly ticket?: TicketKind;
  /** Returns the JSON answer: a success body or a platform error. */
  handle(request: ApiRequest): object;
}

export type PlatformRoute = TokenRoute | ApiRoute;

/** Routes by exact path. */
export type RouteTable = ReadonlyMap<string, PlatformRoute>;
