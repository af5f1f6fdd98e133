import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ResolvedQingtuiOptions } from '../config/resolved-options.js';
import { QingtuiApiError, type QingtuiErrorKind } from '../errors/qingtui-api.error.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { classifyErrcode, errcodeOf, platformError, transportError } from '../platform/qingtui-response.js';
import { QINGTUI_PLATFORM_USAGE, QINGTUI_RESOLVED_OPTIONS } from '../qingtui.constants.js';
import type { PlatformUsage } from '../token/platform-usage.js';
import { TokenService } from '../token/token.service.js';
import { messages } from '../qingtui.messages.js';
import './qingtui-request.js';

/** Path of a request URL, without host or query (never logged with its query). */
function endpointOf(config: { url?: string }): string {
  const url = config.url ?? '';
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  return path === '' ? '/' : path;
}

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/**
 * Registered on the module's own axios instance. For every request that carries
 * `qingtui: { app }` it:
 * - adds the app's `access_token` to the query;
 * - reads the platform's `errcode` (the platform answers HTTP 200 with an errcode): on a
 *   token-invalid code it reports the token it used as stale (a passive refresh that renews only
 *   if that token is still current) and re-sends the request once with the new token; any other
 *   errcode becomes a `QingtuiApiError`;
 * - re-sends once after a transport failure only when that cannot deliver anything twice: the
 *   request surely never reached the platform, or it is idempotent.
 */
@Injectable()
export class AccessTokenInterceptor implements OnModuleInit, OnModuleDestroy {
  private ids?: { request: number; response: number };

  constructor(
    private readonly http: HttpService,
    private readonly tokens: TokenService,
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Inject(QINGTUI_PLATFORM_USAGE) private readonly usage: PlatformUsage,
    private readonly events: QingtuiEvents,
  ) {}

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
    config.baseURL ??= this.options.baseUrl;
    config.timeout ||= this.options.httpTimeoutMs;
    config.params = { ...(config.params ?? {}), access_token: token };
    // The last 10% of the daily quota is kept for token renewals, without which nothing works.
    if (!this.usage.allows(request.app, 'demand')) {
      const usage = this.usage.get(request.app);
      throw new QingtuiApiError(
        'quota',
        undefined,
        messages.quotaHeldBack(usage.state, usage.total, usage.limit),
        endpointOf(config),
        undefined,
        false,
        this.usage.msUntilReset(),
      );
    }
    this.usage.record(request.app, 'api');
    state.sentAt = Date.now();
    return config;
  }

  private async afterResponse(response: AxiosResponse): Promise<AxiosResponse> {
    const config = response.config;
    const request = config.qingtui;
    if (request === undefined) return response;
    const endpoint = endpointOf(config);
    const body = parseBody(response.data);
    const errcode = errcodeOf(body);
    if (errcode === undefined) {
      const isObject = body !== null && typeof body === 'object';
      if (response.status < 400 && isObject) {
        this.told(config, 'ok');
        response.data = body;
        return response;
      }
      const failure = new QingtuiApiError(
        response.status >= 500 || !isObject ? 'transient' : 'request',
        undefined,
        isObject ? `HTTP ${response.status}` : `HTTP ${response.status}, answer is not JSON`,
        endpoint,
        response.status,
      );
      this.told(config, failure.kind);
      if (failure.kind === 'transient' && this.mayResend(config, failure)) return this.resend(config);
      throw failure;
    }
    const errmsg = (body as { errmsg?: unknown }).errmsg;
    this.told(config, classifyErrcode(errcode, endpoint, typeof errmsg === 'string' ? errmsg : ''), errcode);
    const state = (config.qingtuiState ??= {});
    if (classifyErrcode(errcode, endpoint) === 'token-invalid' && !state.retried && state.token) {
      // The platform refused the token, so it did not act on the request: re-sending is safe.
      const fresh = await this.tokens.renewRejected(request.app, state.token);
      state.token = fresh;
      return this.resend(config);
    }
    throw platformError(body as Record<string, unknown>, endpoint, response.status);
  }

  private async afterFailure(error: AxiosError): Promise<AxiosResponse> {
    const config = error.config;
    if (config?.qingtui === undefined || error instanceof QingtuiApiError) throw error;
    if (error.response) return this.afterResponse(error.response);
    const failure = transportError(error, endpointOf(config));
    this.told(config, failure.kind);
    if (this.mayResend(config, failure)) return this.resend(config);
    throw failure;
  }

  /** One business call to the platform ended: `qingtui.platform.call`. */
  private told(config: InternalAxiosRequestConfig, outcome: 'ok' | QingtuiErrorKind, errcode?: number): void {
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
    const idempotent =
      config.qingtui?.idempotent ?? (config.method ?? 'get').toLowerCase() === 'get';
    return idempotent || !failure.maybeProcessed;
  }

  private resend(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const state = (config.qingtuiState ??= {});
    state.retried = true;
    // The request interceptor puts the (possibly new) token back into the query.
    return this.http.axiosRef.request(config);
  }
}
