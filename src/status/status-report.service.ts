import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TicketService, TokenService } from 'nestjs-qingtui';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import type { ServerConfig } from '../config/server-config.interface.js';
import { countByState, REPORT_DEFAULT_LIMIT, type ReportPage } from '../common/report-page.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { RelayMetrics } from '../relay/relay.metrics.js';
import type { StatusData, StatusTicket } from './status-data.interface.js';

/**
 * The state the status page shows, from `TokenService` (never a token, never a secret): per app
 * the platform, state, expiry, next renewal, origin, generation, today's calls against the quota,
 * the calls relayed since start, the last error; the store; this instance.
 */
@Injectable()
export class StatusReport {
  private readonly startedAt = new Date();
  /** This process, when the store gives no instance id (memory store). */
  private readonly processId = randomUUID();
  private readonly mode: StatusData['mode'];

  constructor(
    private readonly tokens: TokenService,
    @Inject(ConfigService) config: ConfigService<ServerConfig, true>,
    private readonly redactor: SecretRedactor,
    private readonly tickets: TicketService,
    private readonly relayed: RelayMetrics,
  ) {
    this.mode = config.get('platform', { infer: true }).mode === 'sandbox' ? 'sandbox' : 'platform';
  }

  /** Each app's tickets, without the tickets themselves; errmsg redacted as in the logs. */
  private ticketsByApp(names: ReadonlySet<string>): Map<string, StatusTicket[]> {
    const byApp = new Map<string, StatusTicket[]>();
    for (const t of this.tickets.status([...names])) {
      if (!names.has(t.name)) continue;
      const list = byApp.get(t.name) ?? [];
      list.push({
        kind: t.kind,
        state: t.state,
        expiresAt: t.expiresAt,
        nextRenewalAt: t.nextRenewalAt,
        heldBack: t.heldBack,
        lastError: t.lastError && {
          ...t.lastError,
          errmsg: this.redactor.scrub(t.lastError.errmsg),
        },
      });
      byApp.set(t.name, list);
    }
    return byApp;
  }

  /**
   * The apps in `scope` (a client key scoped to some apps sees only those): every one counted in
   * `summary`, those of `page` listed, so that 10,000 apps make a small answer.
   */
  build(
    scope: ApiKeyEntry['scope'],
    page: ReportPage = { offset: 0, limit: REPORT_DEFAULT_LIMIT },
  ): StatusData {
    const store = this.tokens.storeInfo();
    const inScope = scope === 'all' ? undefined : new Set(scope);
    const statuses = this.tokens
      .tokenStates()
      .filter((s) => inScope === undefined || inScope.has(s.name));
    const listed = this.tokens.status(
      statuses.slice(page.offset, page.offset + page.limit).map((s) => s.name),
    );
    const tickets = this.ticketsByApp(new Set(listed.map((s) => s.name)));
    const apps = listed.map((s) => ({
      name: s.name,
      appId: s.appId,
      platform: s.platform,
      state: s.state,
      renewing: s.renewing,
      issuedAt: s.issuedAt,
      expiresAt: s.expiresAt,
      nextRenewalAt: s.nextRenewalAt,
      origin: s.origin,
      generation: s.generation,
      consecutiveFailures: s.consecutiveFailures,
      callersWaited: s.callersWaited,
      heldBack: s.heldBack,
      // The platform's errmsg may echo what it was sent: redacted as in the logs.
      lastError: s.lastError && {
        ...s.lastError,
        errmsg: this.redactor.scrub(s.lastError.errmsg),
      },
      platformCallsToday: s.platformCallsToday,
      relayedCalls: this.relayed.countsOf(s.name),
      tickets: tickets.get(s.name) ?? [],
    }));
    return {
      generatedAt: new Date().toISOString(),
      mode: this.mode,
      apps,
      summary: {
        apps: statuses.length,
        byState: countByState(statuses),
        offset: page.offset,
        limit: page.limit,
      },
      store: { kind: store.kind, state: store.state },
      instance: {
        id: store.instanceId ?? this.processId,
        hostname: hostname(),
        pid: process.pid,
        startedAt: this.startedAt.toISOString(),
        uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
        node: process.version,
      },
    };
  }
}
