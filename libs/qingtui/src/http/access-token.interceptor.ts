import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { parseJson } from '../core/parse-json.js';
import type { ResolvedApp, ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { QingtuiApiError, type QingtuiErrorKind } from '../errors/qingtui-api.error.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { QingtuiOutcomeUnknownError } from '../errors/qingtui-outcome-unknown.error.js';
import { parseAnswer, transportError } from '../platforms/platform-answer.js';
import type { TokenPlatform } from '../platforms/platform.interface.js';
import { platformNamed } from '../platforms/platforms.registry.js';
import { QINGTUI_PLATFORM_USAGE, QINGTUI_RESOLVED_OPTIONS } from '../qingtui.constants.js';
import type { PlatformUsage } from '../quotas/platform-usage.js';
import { TokenService } from '../token/token.service.js';
import { messages } from '../qingtui.messages.js';
import './qingtui-request.js';

/** Path of a request URL, without host or query (never logged with its query). */
function endpointOf(config: { url?: string }): string {
  const url = config.url ?? '';
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  return path === '' ? '/' : path;
}

/** Whether re-sending the request can do no harm: as told, else GET only. */
function isIdempotent(config: InternalAxiosRequestConfig): boolean {
  return config.qingtui?.idempotent ?? (config.method ?? 'get').toLowerCase() === 'get';
}

/** The body's errcode when it is one of `codes` (a body parsed by axios, or its JSON text). */
function errcodeIn(data: unknown, codes: readonly number[]): number | undefined {
  const body = typeof data === 'string' ? parseJson(data) : data;
  if (body === null || typeof body !== 'object') return undefined;
  const code = Number((body as { errcode?: unknown }).errcode);
  return codes.includes(code) ? code : undefined;
}

/**
 * Registered on the module's own axios instance. For every request that carries
 * `qingtui: { app }` (an app of any platform) it:
 * - sends it to the app's platform (unless the request has its own `baseURL`) with the app's
 *   `access_token`;
 * - reads the answer with `parseAnswer`, the reader the token fetchers use (the platforms answer
 *   HTTP 200 with an errcode, classified as that platform defines it; an HTTP 5xx or a body that
 *   is not a JSON object is transient): on a token-invalid code it reports the token it used as
 *   stale (a passive refresh that renews only if that token is still current) and re-sends the
 *   request once with the new token; any other failure becomes a `QingtuiApiError`;
 * - re-sends once after a transport failure only when that cannot deliver anything twice: the
 *   request surely never reached the platform, or it is idempotent. A request that is not
 *   idempotent (a message send) and may have reached the platform with no readable answer (a
 *   time-out or a reset after sending, an HTTP 5xx, a body that is not JSON) is never re-sent: it
 *   fails with `QingtuiOutcomeUnknownError`;
 * - hands back as an answer (not an error) a body whose errcode the request lists in
 *   `answerErrcodes` (WeChat's 45065 "already sent", whose body carries the first msg_id).
 */
@Injectable()
export class AccessTokenInterceptor implements OnModuleInit, OnModuleDestroy {
  private ids?: { request: number; response: number };
  private readonly apps: ReadonlyMap<string, { app: ResolvedApp; platform: TokenPlatform }>;

  constructor(
    private readonly http: HttpService,
    private readonly tokens: TokenService,
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Inject(QINGTUI_PLATFORM_USAGE) private readonly usage: PlatformUsage,
    private readonly events: QingtuiEvents,
  ) {
    this.apps = new Map(
      options.apps.map((app) => [app.name, { app, platform: platformNamed(app.platform) }]),
    );
  }

  onModuleInit(): void {
    const axios = this.http.axiosRef;
    this.ids = {
      request: axios.interceptors.request.use((config) => this.beforeRequest(config)),
      response: axios.interceptors.response.use(
        (response) => this.afterResponse(response),
        (error: AxiosError) => this.afterFailure(error),
      ),
    };
  }

  onModuleDestroy(): void {
    if (this.ids === undefined) return;
    this.http.axiosRef.interceptors.request.eject(this.ids.request);
    this.http.axiosRef.interceptors.response.eject(this.ids.response);
  }

  private async beforeRequest(
    config: InternalAxiosRequestConfig,
  ): Promise<InternalAxiosRequestConfig> {
    const request = config.qingtui;
    if (request === undefined) return config;
    const state = (config.qingtuiState ??= {});
    // A re-sent request uses the token the passive refresh handed back.
    const token =
      state.retried && state.token ? state.token : await this.tokens.getToken(request.app);
    state.token = token;
    // getToken() has refused unknown apps.
    const { app, platform } = this.apps.get(request.app)!;
    config.baseURL ??= app.baseUrl;
    config.timeout ||= this.options.httpTimeoutMs;
    platform.attachToken(config, token);
    // The last 10% of the daily quota is kept for token renewals, without which nothing works
    // (on platforms that count business calls against it).
    if (!this.usage.allows(request.app, 'demand', 'api')) {
      const usage = this.usage.get(request.app);
      throw QingtuiApiError.heldBack({
        kind: 'quota',
        errmsg: messages.quotaHeldBack(usage.state, usage.total, usage.limit),
        endpoint: endpointOf(config),
        retryAfterMs: this.usage.msUntilReset(),
        platform: platform.label,
      });
    }
    this.usage.record(request.app, 'api');
    state.sentAt = Date.now();
    return config;
  }

  private async afterResponse(response: AxiosResponse): Promise<AxiosResponse> {
    const config = response.config;
    const request = config.qingtui;
    if (request === undefined) return response;
    const { platform } = this.apps.get(request.app)!;
    if (request.answerErrcodes !== undefined && response.status < 500) {
      const code = errcodeIn(response.data, request.answerErrcodes);
      if (code !== undefined) {
        this.told(config, 'ok', code);
        if (typeof response.data === 'string') response.data = parseJson(response.data);
        return response;
      }
    }
    let body: Record<string, unknown>;
    try {
      body = parseAnswer(platform, endpointOf(config), response.status, response.data);
    } catch (error) {
      const failure = error as QingtuiApiError;
      this.told(config, failure.kind, failure.errcode);
      const state = (config.qingtuiState ??= {});
      if (failure.kind === 'token-invalid' && !state.retried && state.token) {
        // The platform refused the token, so it did not act on the request: re-sending is safe.
        state.token = await this.tokens.renewRejected(request.app, state.token);
        return this.resend(config);
      }
      // No answer to read (HTTP 5xx, not JSON): as after a transport failure.
      const unread = failure.errcode === undefined && failure.kind === 'transient';
      if (!unread) throw failure;
      if (this.mayResend(config, failure)) return this.resend(config);
      throw this.unresolved(config, failure);
    }
    this.told(config, 'ok');
    response.data = body;
    return response;
  }

  private async afterFailure(error: AxiosError): Promise<AxiosResponse> {
    const config = error.config;
    if (config?.qingtui === undefined || error instanceof QingtuiApiError) throw error;
    if (error.response) return this.afterResponse(error.response);
    const failure = transportError(
      error,
      endpointOf(config),
      this.apps.get(config.qingtui.app)?.platform.label,
    );
    this.told(config, failure.kind);
    if (this.mayResend(config, failure)) return this.resend(config);
    throw this.unresolved(config, failure);
  }

  /**
   * The failure of a call that is not re-sent: for a call that is not idempotent and may have
   * reached the platform, a `QingtuiOutcomeUnknownError`; otherwise the failure itself.
   */
  private unresolved(
    config: InternalAxiosRequestConfig,
    failure: QingtuiApiError,
  ): QingtuiApiError {
    if (!failure.maybeProcessed || isIdempotent(config)) return failure;
    return QingtuiOutcomeUnknownError.after({
      app: config.qingtui!.app,
      endpoint: failure.endpoint,
      errmsg: failure.errmsg,
      status: failure.status,
      platform: failure.platform,
    });
  }

  /** One business call to the platform ended: `qingtui.platform.call`. */
  private told(
    config: InternalAxiosRequestConfig,
    outcome: 'ok' | QingtuiErrorKind,
    errcode?: number,
  ): void {
    const sentAt = config.qingtuiState?.sentAt;
    if (config.qingtui === undefined || sentAt === undefined) return;
    this.events.emit(QINGTUI_EVENTS.platformCall, {
      app: config.qingtui.app,
      endpoint: 'api',
      outcome,
      ...(errcode === undefined ? {} : { errcode }),
      durationMs: Date.now() - sentAt,
    });
  }

  /** Once at most, and only when re-sending cannot deliver anything twice. */
  private mayResend(config: InternalAxiosRequestConfig, failure: QingtuiApiError): boolean {
    if (config.qingtuiState?.retried) return false;
    return isIdempotent(config) || !failure.maybeProcessed;
  }

  private resend(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const state = (config.qingtuiState ??= {});
    state.retried = true;
    // The request interceptor puts the (possibly new) token back into the query.
    return this.http.axiosRef.request(config);
  }
}
