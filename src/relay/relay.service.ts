import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { isTokenRejection, QingtuiApiError, TokenService } from 'nestjs-qingtui';
import { ConfigService } from '@nestjs/config';
import { clientOf } from '../auth/authenticated-request.js';
import { retryAfterSeconds } from '../common/retry-after.js';
import type { ServerConfig } from '../config/server-config.interface.js';
import { RelayAuth } from './relay-auth.js';
import { RelayRateLimit } from './relay-rate-limit.js';
import {
  RELAY_BODY_LIMIT,
  RELAY_BUFFERED_BODY_LIMIT,
  type RelayBody,
  readRelayBody,
} from './relay-body.js';
import { RelayRefusal } from './relay-errors.js';
import { relayRequestHeaders, relayResponseHeaders } from './relay-headers.js';
import { peekAnswer, type PeekedAnswer } from './relay-answer.js';
import { RelayMetrics, type RelayOutcome, UNKNOWN_APP_LABEL } from './relay.metrics.js';
import { isExcludedPath, relayPathOf, relaysPrefix } from './relay-paths.js';
import { MAX_QUERY_LENGTH, parseRelayQuery, relayQueryWith } from './relay-query.js';
import { relayTargetUrl } from './relay-target.js';
import { RelayTransport, RelayTransportError } from './relay-transport.js';

/** How long a request body may take to arrive, in platform call timeouts (30 s by default). */
export const RELAY_BODY_DEADLINE_FACTOR = 3;

/** What `handle` did with a request. */
export type RelayHandling = 'answered' | 'not-relayed';

/** One prepared call: where, how, with which body. */
interface PreparedCall {
  app: string;
  platform: string;
  path: string;
  method: string;
  query: ReturnType<typeof parseRelayQuery>;
  body: RelayBody;
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The relay of business calls: checks the path and the caller, reads the body (a large one
 * streams), sends the call to the app's platform with the server's token, renews a token the
 * platform refuses and sends a call with a small body once more (the platform refused it before
 * acting), and streams the answer back as it is.
 * Transport failures are never retried (a POST may have been acted on): 502, or 504 on timeout.
 */
@Injectable()
export class RelayService implements OnModuleDestroy {
  private readonly transport = new RelayTransport();
  private readonly rateLimit: RelayRateLimit;

  constructor(
    private readonly tokens: TokenService,
    private readonly auth: RelayAuth,
    @Inject(RelayMetrics) private readonly metrics: RelayMetrics,
    @Inject(ConfigService) config: ConfigService<ServerConfig, true>,
  ) {
    this.rateLimit = new RelayRateLimit(config.get('tuning', { infer: true }).relayRateLimit);
  }

  onModuleDestroy(): void {
    this.transport.close();
  }

  /**
   * Answers the request, or leaves it (`not-relayed`: another route, or the 404 handler, answers
   * it) when it is not a business call of the app's platform or is an excluded token path.
   */
  async handle(request: Request, response: Response): Promise<RelayHandling> {
    const app = String(request.params.app ?? '');
    const known = this.tokens.hasApp(app);
    const rawTarget = request.originalUrl ?? request.url;
    const first = rawTarget.split('?')[0].split('/')[3] ?? '';
    const platform = known
      ? this.tokens.platformOf(app)
      : first === 'cgi-bin'
        ? 'wechat-mp'
        : 'qingtui';
    const label = known ? app : UNKNOWN_APP_LABEL;
    try {
      if (!known)
        throw new RelayRefusal('unknown-app', `no app "${app.slice(0, 64)}" is configured`);
      if (!relaysPrefix(platform, first)) return 'not-relayed';
      const target = relayPathOf(rawTarget);
      if (!target.ok) throw new RelayRefusal('bad-path', target.problem);
      if (isExcludedPath(target.path)) return 'not-relayed';
      const rawQuery = rawTarget.includes('?') ? rawTarget.slice(rawTarget.indexOf('?') + 1) : '';
      if (rawQuery.length > MAX_QUERY_LENGTH) {
        throw new RelayRefusal(
          'bad-path',
          `the query string is longer than ${MAX_QUERY_LENGTH} characters`,
        );
      }
      const query = parseRelayQuery(platform, rawQuery);
      await this.auth.authenticate(request, app, query.presentedToken);
      // Per caller (its client key, or the app's token), before its body is read.
      const wait = this.rateLimit.take(clientOf(request)?.label ?? app);
      if (wait > 0) {
        throw new RelayRefusal('rate-limited', 'api freq out of limit: slow down', {
          'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))),
        });
      }
      // Authenticated: a client waiting on `Expect: 100-continue` may now send its body.
      if (/100-continue/i.test(request.headers.expect ?? '') && !response.headersSent) {
        response.writeContinue();
      }
      const endpoint = this.tokens.platformEndpoint(app);
      const body = await readRelayBody(request, {
        limit: RELAY_BODY_LIMIT,
        bufferLimit: RELAY_BUFFERED_BODY_LIMIT,
        deadlineMs: RELAY_BODY_DEADLINE_FACTOR * endpoint.timeoutMs,
      });
      const outcome = await this.relay(request, response, {
        app,
        platform,
        path: target.path,
        method: request.method,
        query,
        body,
        baseUrl: endpoint.baseUrl,
        timeoutMs: endpoint.timeoutMs,
      });
      this.metrics.record(label, platform, outcome);
    } catch (error) {
      const refusal = this.refusalOf(error);
      this.metrics.record(
        label,
        platform,
        refusal.kind === 'transport' || refusal.kind === 'timeout' ? 'transport-error' : 'refused',
      );
      this.refuse(request, response, platform, refusal);
    }
    return 'answered';
  }

  /** Sends the call, renews and re-sends once on a token rejection, and passes the answer on. */
  private async relay(
    request: Request,
    response: Response,
    call: PreparedCall,
  ): Promise<RelayOutcome> {
    let token = await this.tokens.getToken(call.app);
    this.auth.noteCurrent(call.app, token);
    let answer = await this.attempt(request, call, token);
    let retried = false;
    if (
      answer.errcode !== undefined &&
      isTokenRejection(call.platform, answer.errcode, call.path)
    ) {
      // First-hand evidence: renewed at once (deduplicated across instances) if still current.
      const renewed = await this.tokens.renewRejected(call.app, token).catch(() => undefined);
      // A streamed body was sent once and is gone: the refusal goes back as it is (the client's
      // own retry then finds the renewed token).
      if (renewed !== undefined && renewed !== token && call.body.kind === 'buffered') {
        answer.response.resume();
        token = renewed;
        this.auth.noteCurrent(call.app, token);
        answer = await this.attempt(request, call, token);
        retried = true;
      }
    }
    this.pass(answer, response, request.method);
    if (retried) return 'token-renewed-retried';
    const failed = answer.errcode !== undefined || (answer.response.statusCode ?? 500) >= 400;
    return failed ? 'platform-error' : 'ok';
  }

  /** One send: counted in the app's platform usage, its answer read up to the peek limit. */
  private async attempt(
    request: Request,
    call: PreparedCall,
    token: string,
  ): Promise<PeekedAnswer> {
    const url = relayTargetUrl(call.baseUrl, call.path, relayQueryWith(call.query, token));
    const done = this.tokens.startBusinessCall(call.app);
    let response: IncomingMessage;
    try {
      response = await this.transport.send({
        url,
        method: call.method,
        headers: relayRequestHeaders(request.headers),
        body: call.body,
        timeoutMs: call.timeoutMs,
      });
    } catch (error) {
      done('transient');
      throw error;
    }
    try {
      const answer = await peekAnswer(response);
      if (answer.errcode === undefined) done('ok');
      else
        done(
          isTokenRejection(call.platform, answer.errcode, call.path) ? 'token-invalid' : 'request',
          answer.errcode,
        );
      return answer;
    } catch (error) {
      done('transient');
      throw new RelayTransportError(false, (error as Error).message);
    }
  }

  /** Streams the platform's answer to the client: status, filtered headers, bytes as they are. */
  private pass(answer: PeekedAnswer, response: Response, method: string): void {
    const upstream = answer.response;
    response.status(upstream.statusCode ?? 502);
    for (const [name, value] of Object.entries(relayResponseHeaders(upstream.headers))) {
      if (value !== undefined) response.setHeader(name, value);
    }
    if (method === 'HEAD') {
      upstream.resume();
      response.end();
      return;
    }
    if (answer.complete) {
      response.end(answer.head);
      return;
    }
    response.write(answer.head);
    upstream.on('error', () => response.destroy());
    upstream.on('close', () => {
      if (!upstream.complete) response.destroy();
    });
    upstream.pipe(response);
    upstream.resume();
  }

  /** The relay's own answer to a failure. */
  private refusalOf(error: unknown): RelayRefusal {
    if (error instanceof RelayRefusal) return error;
    if (error instanceof RelayTransportError) {
      return new RelayRefusal(error.timeout ? 'timeout' : 'transport', error.message);
    }
    if (error instanceof QingtuiApiError) {
      const seconds = retryAfterSeconds(error);
      return new RelayRefusal(
        'unavailable',
        `no token of this app can be had now (${error.kind})`,
        seconds === undefined ? {} : { 'Retry-After': String(seconds) },
      );
    }
    throw error;
  }

  private refuse(
    request: Request,
    response: Response,
    platform: string,
    refusal: RelayRefusal,
  ): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    // A body left unread is not drained: the connection ends with the answer.
    if (!request.complete) response.setHeader('Connection', 'close');
    for (const [name, value] of Object.entries(refusal.headers)) response.setHeader(name, value);
    response.status(refusal.status).json(refusal.bodyFor(platform));
  }
}
