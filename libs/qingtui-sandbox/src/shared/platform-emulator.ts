import type { IncomingMessage } from 'node:http';
import type { Reply } from './http-io.js';
import type { TicketStatus } from './ticket-book.js';

/** A request to one of a platform's endpoints, identified and already counted as a call. */
export interface AdmittedCall {
  /** The app the call is attributed to (its app key), when it can be told. */
  readonly appKey: string | undefined;
  /**
   * Lets the platform act and answer. Runs at most once, after the fault
   * check: not at all when a fault answers instead.
   */
  handle(req: IncomingMessage): Promise<Reply>;
}

/**
 * One emulated platform, as the sandbox's HTTP server sees it. Each platform
 * owns its paths (they never clash: Qingtui `/v1/...`, `/auth/...`,
 * `/team/...`; WeChat and WeCom distinct `/cgi-bin/...` paths), its state and
 * its errcodes; the server, faults, counters and control API are shared.
 */
export interface PlatformEmulator {
  /**
   * Recognises one of the platform's endpoints and counts the call. Runs once
   * per request, before faults, so faulted requests are counted too. May read
   * the body (credential endpoints that take JSON), never answers.
   * @returns undefined when the path is not one of this platform's
   */
  admit(
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
  ): Promise<AdmittedCall | undefined>;
  /** Whether the app key names one of this platform's apps. */
  hasApp(appKey: string): boolean;
  /** The platform invalidates every access token of the app (of all its apps when omitted). */
  revokeTokens(appKey?: string): void;
  /** The newest access token the app obtained with its credentials, valid or not. */
  currentToken(appKey: string): string | undefined;
  /** Whether a business call with this token would be accepted now. */
  isTokenValid(token: string): boolean;
  /** What the platform knows of a JS-SDK ticket: `unknown` when it did not issue it. */
  ticketStatus(ticket: string): TicketStatus;
  /** Calls the app has used of today's quota. */
  quotaUsedToday(appKey: string): number;
  /** Forgets every token and every limit's use. Configuration is kept. */
  reset(): void;
}
