import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppCatalogue } from '../config/app-catalogue.js';
import type { CredentialKind } from '../core/credential-kind.js';
import type { TokenSource } from '../core/credential-source.js';
import type { TokenFetchSemantics } from '../core/fetch-semantics.js';
import type { ResolvedApp, ResolvedQingtuiOptions } from '../core/resolved-options.js';
import type { TokenBackend } from '../core/store.js';
import { CredentialEngine } from '../engine/credential-engine.js';
import { ticketEvents } from '../engine/credential-events.js';
import type { AppTokenStatus } from '../engine/credential-status.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import { eventPlatformOf } from '../events/event-platform.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { findPlatform } from '../platforms/platforms.registry.js';
import {
  QINGTUI_APP_CATALOGUE,
  QINGTUI_PLATFORM_USAGE,
  QINGTUI_RESOLVED_OPTIONS,
  QINGTUI_TOKEN_BACKEND,
  QINGTUI_TOKEN_SOURCE,
} from '../qingtui.constants.js';
import type { PlatformUsage } from '../quotas/platform-usage.js';
import { CENTRAL_SERVER_LABEL } from '../token/sources/central-server.source.js';
import { TokenService } from '../token/token.service.js';
import { jsapiSignature, newNonce, pageUrlToSign } from './jsapi-signature.js';

/** A ticket and when it stops being accepted. */
export interface TicketInfo {
  ticket: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Until when (epoch ms) a holder that caches it may use it (see `TokenInfo.useUntil`). */
  useUntil: number;
}

/** What the page passes to `wx.config` (WeCom: `appId` is the corpId). */
export interface JsapiConfigSignature {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** What the page passes to `wx.agentConfig` (WeCom). */
export interface AgentConfigSignature {
  corpid: string;
  agentid: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** Ticket state of one app and kind, for health checks and dashboards. Holds no secret. */
export interface AppTicketStatus extends AppTokenStatus {
  /** `jsapi`, `wx_card`, `agent_config`. */
  kind: string;
}

/**
 * The JS-SDK tickets of every app whose platform has them (WeChat `jsapi` and `wx_card`, WeCom
 * `jsapi` and `agent_config`, Qingtui `jsapi`), and the signatures made with them. Each kind is
 * a credential kind of the lifecycle engine, fetched with the app's current access_token:
 * cached, shared through the store, single-flight across instances, renewed in the background.
 *
 * - **The expiry is the ticket's**: the platforms answer the ticket they hold, with `expires_in`
 *   reset, to every fetch inside its life; the engine keeps the first-seen expiry, hands a
 *   ticket out until `ticketMarginMs` before it, and asks for the next one once the platform's
 *   copy has expired.
 * - **A fetch refused for its token heals the token** (renewed only if still current, as a
 *   passive refresh), then is retried once.
 * - **Limits**: WeCom's hourly limits are counted across instances and never exceeded; WeChat's
 *   and Qingtui's ticket calls count in the day's calls (`platformUsage`).
 * - Tickets are fetched on first use, not at start-up (they cost quota, and WeCom's are scarce).
 */
@Injectable()
export class TicketService implements OnModuleDestroy {
  private readonly logger = new Logger('QingtuiTicketService');
  private readonly engines = new Map<string, CredentialEngine>();

  constructor(
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Inject(QINGTUI_TOKEN_BACKEND) backend: TokenBackend,
    @Inject(QINGTUI_TOKEN_SOURCE) source: TokenSource,
    scheduler: SchedulerRegistry,
    @Inject(QINGTUI_PLATFORM_USAGE) usage: PlatformUsage,
    tokens: TokenService,
    @Optional() @Inject(QINGTUI_APP_CATALOGUE) catalogue?: AppCatalogue,
    @Optional() events?: QingtuiEvents,
  ) {
    this.catalogue = catalogue ?? new AppCatalogue(options.apps, options.defaultApp);
    const consumer = options.mode === 'consumer';
    const semantics: TokenFetchSemantics = consumer
      ? // The central server answers its current ticket with the time it has left.
        { repeatsWhileValid: 'time-left', refreshToken: false, clearQuota: false }
      : {
          repeatsWhileValid: 'same-answer',
          repeatResetsExpiry: true,
          servingMarginMs: options.ticketMarginMs,
          refreshToken: false,
          clearQuota: false,
        };
    const kinds = new Set(options.apps.flatMap((app) => app.tickets?.kinds ?? []));
    const bus = events ?? new QingtuiEvents((app) => eventPlatformOf(options, app));
    for (const name of kinds) {
      const kind: CredentialKind = {
        name: `ticket:${name}`,
        source: {
          renew: (app, _current, _reason, _stale, parent) => {
            if (source.ticket === undefined) throw new QingtuiError('No ticket source');
            return source.ticket(app, name, parent);
          },
        },
        semanticsOf: () => semantics,
        callKind: 'api',
        parent: consumer
          ? undefined
          : {
              current: (app) => tokens.getToken(app),
              rejected: (app, value) => tokens.renewRejected(app, value),
            },
        appliesTo: (app) => app.tickets?.kinds.includes(name) ?? false,
        labelOf: (app) =>
          consumer ? CENTRAL_SERVER_LABEL : (findPlatform(app.platform)?.label ?? app.platform),
        // A call refused before it was sent (WeCom's hour used up) says when to come back.
        minHoldMs: (_app, error) => (error.kind === 'rate-limit' ? error.retryAfterMs : undefined),
      };
      this.engines.set(
        name,
        new CredentialEngine(kind, {
          options,
          catalogue: this.catalogue,
          backend,
          usage,
          events: ticketEvents(bus, name),
          scheduler,
          logger: this.logger,
        }),
      );
    }
  }

  private readonly catalogue: AppCatalogue;

  /** The ticket kinds of an app's platform (empty: none). */
  ticketKinds(app?: string): readonly string[] {
    return this.catalogue.get(app).tickets?.kinds ?? [];
  }

  /**
   * A valid ticket of the app (`jsapi` unless `kind` says otherwise). Never waits for the
   * platform while a valid ticket is known.
   * @throws QingtuiError for a kind the app's platform does not have, naming those it has
   */
  getTicket(app?: string, kind = 'jsapi'): Promise<string> {
    const engine = this.findEngine(app, kind);
    return engine instanceof Error ? Promise.reject(engine) : engine.value(app);
  }

  /** Like `getTicket()`, with the ticket's expiry. */
  async getTicketInfo(app?: string, kind = 'jsapi'): Promise<TicketInfo> {
    const info = await this.engineOf(app, kind).info(app);
    return { ticket: info.accessToken, expiresAt: info.expiresAt, useUntil: info.useUntil };
  }

  /**
   * What a page passes to `wx.config` (`kind` `jsapi`) for `url`: the app's id (WeCom: the
   * corpId), a timestamp, a nonce and the signature made with the current ticket. The URL must
   * be absolute http(s) (its fragment is dropped) and, where the app lists `jsSafeDomains`, on
   * one of them.
   * @throws QingtuiValidationError naming `url`
   * @throws QingtuiError in consumer mode (the central server signs: `POST /apps/:app/jsapi-signature`)
   */
  async signJsapi(app: string | undefined, url: string): Promise<JsapiConfigSignature> {
    const resolved = this.catalogue.get(app);
    const { appId } = this.identity(resolved);
    const signed = await this.sign(resolved, url, 'jsapi');
    return { appId, ...signed };
  }

  /** What a WeCom page passes to `wx.agentConfig` for `url` (see `signJsapi`). */
  async signAgentConfig(app: string | undefined, url: string): Promise<AgentConfigSignature> {
    const resolved = this.catalogue.get(app);
    const agent = resolved.tickets?.agent;
    if (agent === undefined) {
      throw new QingtuiError(
        `App "${resolved.name}" (${resolved.label}) has no agent_config ticket`,
      );
    }
    const signed = await this.sign(resolved, url, 'agent_config');
    return { corpid: agent.corpId, agentid: agent.agentId, ...signed };
  }

  /**
   * State of every app's tickets (kinds not fetched yet show `missing`), or of the apps named
   * (unknown names are skipped).
   */
  status(apps?: readonly string[]): AppTicketStatus[] {
    return [...this.engines].flatMap(([kind, engine]) =>
      engine.status(apps).map((s) => ({ ...s, kind })),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.engines.values()].map((engine) => engine.stop()));
  }

  /**
   * With a shared store, brings every ticket record in line with the stored one; and the
   * safety-net sweep. Run by `TokenSweepScheduler`.
   * @internal
   */
  sweep(reconcile: boolean): void {
    for (const engine of this.engines.values()) {
      if (reconcile) engine.reconcileNext(this.options.refresh.reconcilePerSecond);
      else engine.sweep();
    }
  }

  private async sign(app: ResolvedApp, rawUrl: string, kind: string) {
    const url = pageUrlToSign(rawUrl, app.tickets?.domains);
    const ticket = await this.engineOf(app.name, kind).value(app.name);
    const now = Date.now();
    const timestamp = app.tickets?.timestampUnit === 'milliseconds' ? now : Math.floor(now / 1000);
    const nonceStr = newNonce();
    return { timestamp, nonceStr, signature: jsapiSignature({ ticket, nonceStr, timestamp, url }) };
  }

  private identity(app: ResolvedApp): { appId: string } {
    const appId = app.tickets?.configAppId;
    if (appId === undefined) {
      throw new QingtuiError(
        `App "${app.name}" is served by a central server, which alone knows its platform identity: ` +
          'ask it for signatures (POST /apps/:app/jsapi-signature)',
      );
    }
    return { appId };
  }

  private engineOf(app: string | undefined, kind: string): CredentialEngine {
    const engine = this.findEngine(app, kind);
    if (engine instanceof Error) throw engine;
    return engine;
  }

  /** The engine of `kind` for `app`, or the error naming the app's kinds (unknown app included). */
  private findEngine(app: string | undefined, kind: string): CredentialEngine | QingtuiError {
    const resolved = this.catalogue.find(app);
    if (resolved === undefined) return this.catalogue.unknown(app);
    const kinds = resolved.tickets?.kinds ?? [];
    const engine = this.engines.get(kind);
    if (!kinds.includes(kind) || engine === undefined) {
      return new QingtuiError(
        `App "${resolved.name}" (${resolved.label}) has no "${kind.slice(0, 40)}" ticket` +
          (kinds.length > 0 ? `: its kinds are ${kinds.join(', ')}` : ': its platform has none'),
      );
    }
    return engine;
  }
}
