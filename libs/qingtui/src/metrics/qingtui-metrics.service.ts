import type { OnModuleDestroy } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiEvents } from '../events/qingtui-events.service.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { TokenService } from '../token/token.service.js';
import type { PromClient } from './load-prom-client.js';
import { QINGTUI_METRICS } from './qingtui-metric-names.js';

const APP_LABELS = ['app', 'platform'] as const;
const RENEWAL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LOCK_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 15];
/** Default of `metrics.perAppLimit`. */
const PER_APP_LIMIT = 200;
/** The `app` label of the series summed up over every app of a platform. */
export const ALL_APPS_LABEL = '*';
/** How long one reading of the apps' state serves the gauges of a scrape. */
const STATUS_READING_MS = 200;

/** How the values of several apps make the one of a summed-up series. */
type Combine = (a: number, b: number) => number;

/**
 * The library's Prometheus metrics, in the registry of the `metrics` option. Counters and
 * histograms follow the lifecycle events (`QingtuiEvents`), so they count exactly what happened
 * (`qingtui_token_grants_total` equals the grants the platform made); gauges are read from
 * `TokenService` when the registry is scraped. Removed from the registry when the module closes.
 */
export class QingtuiMetrics implements OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    prom: PromClient,
    private readonly registry: Registry,
    events: QingtuiEvents,
    tokens: TokenService,
    tickets?: TicketService,
    perAppLimit = PER_APP_LIMIT,
  ) {
    const taken = Object.values(QINGTUI_METRICS).find((name) => registry.getSingleMetric(name));
    if (taken !== undefined) {
      throw new QingtuiConfigError(
        'metrics.registry',
        `already holds ${taken}: another QingtuiModule registered its metrics there. Give each ` +
          'module its own registry (new Registry()), or close the other first',
      );
    }
    const registers = [registry];
    // Beyond `perAppLimit` apps, one series per platform instead of one per app.
    const perApp = tokens.appNames().length <= perAppLimit;
    const appLabel = perApp ? (app: string) => app : () => ALL_APPS_LABEL;
    const labelsOf = (e: { app: string; platform: string }) => ({
      app: appLabel(e.app),
      platform: e.platform,
    });
    // One reading of the apps' state for every gauge of a scrape (not one per gauge).
    // Let go of once the scrape is over: at ten thousand apps a reading is megabytes, and would
    // otherwise stay in memory until the next scrape.
    let reading: ReturnType<TokenService['status']> | undefined;
    const statuses = () => {
      if (reading === undefined) {
        reading = tokens.status();
        setTimeout(() => (reading = undefined), STATUS_READING_MS).unref();
      }
      return reading;
    };

    const grants = new prom.Counter({
      name: QINGTUI_METRICS.tokenGrants,
      help: 'Tokens obtained, by how (via) and why (reason)',
      labelNames: [...APP_LABELS, 'via', 'reason'],
      registers,
    });
    const failures = new prom.Counter({
      name: QINGTUI_METRICS.renewalFailures,
      help: 'Failed renewals, by kind of failure',
      labelNames: [...APP_LABELS, 'kind'],
      registers,
    });
    const calls = new prom.Counter({
      name: QINGTUI_METRICS.platformCalls,
      help: 'HTTP calls to the platform, by endpoint kind and outcome (ok or the errcode class)',
      labelNames: [...APP_LABELS, 'endpoint', 'outcome'],
      registers,
    });
    const reports = new prom.Counter({
      name: QINGTUI_METRICS.passiveRefreshReports,
      help: 'Reports that a token was rejected (passive refresh), by outcome',
      labelNames: [...APP_LABELS, 'outcome'],
      registers,
    });
    const duration = new prom.Histogram({
      name: QINGTUI_METRICS.renewalDuration,
      help: 'Duration of renewals, retries included, by outcome',
      labelNames: [...APP_LABELS, 'outcome'],
      buckets: RENEWAL_BUCKETS,
      registers,
    });
    const lockWait = new prom.Histogram({
      name: QINGTUI_METRICS.lockWait,
      help: "Time a renewal waited for the store's renewal lock",
      labelNames: [...APP_LABELS],
      buckets: LOCK_WAIT_BUCKETS,
      registers,
    });

    const ticketGrants = new prom.Counter({
      name: QINGTUI_METRICS.ticketGrants,
      help: 'JS-SDK tickets obtained (a repeated ticket is not one), by kind and why (reason)',
      labelNames: [...APP_LABELS, 'kind', 'reason'],
      registers,
    });
    const ticketFailures = new prom.Counter({
      name: QINGTUI_METRICS.ticketRenewalFailures,
      help: 'Failed ticket renewals, by ticket kind and kind of failure (error)',
      labelNames: [...APP_LABELS, 'kind', 'error'],
      registers,
    });

    this.unsubscribe.push(
      events.on(QINGTUI_EVENTS.ticketRenewed, (e) =>
        ticketGrants.inc({ ...labelsOf(e), kind: e.kind, reason: e.reason }),
      ),
      events.on(QINGTUI_EVENTS.ticketRenewalFailed, (e) =>
        ticketFailures.inc({ ...labelsOf(e), kind: e.kind, error: e.error.kind }),
      ),
      events.on(QINGTUI_EVENTS.tokenRenewed, (e) => {
        grants.inc({ ...labelsOf(e), via: e.via, reason: e.reason });
        duration.observe({ ...labelsOf(e), outcome: 'success' }, e.durationMs / 1000);
        lockWait.observe(labelsOf(e), e.lockWaitMs / 1000);
      }),
      events.on(QINGTUI_EVENTS.renewalFailed, (e) => {
        failures.inc({ ...labelsOf(e), kind: e.error.kind });
        duration.observe({ ...labelsOf(e), outcome: 'failure' }, e.durationMs / 1000);
      }),
      events.on(QINGTUI_EVENTS.platformCall, (e) =>
        calls.inc({ ...labelsOf(e), endpoint: e.endpoint, outcome: e.outcome }),
      ),
      events.on(QINGTUI_EVENTS.staleTokenReported, (e) =>
        reports.inc({ ...labelsOf(e), outcome: e.outcome }),
      ),
    );

    // Read at scrape time from the service's own state.
    const seenWaits = new Map<string, number>();
    new prom.Counter({
      name: QINGTUI_METRICS.callersWaited,
      help: 'getToken() calls that had to wait for the platform (cold start, or no valid token)',
      labelNames: [...APP_LABELS],
      registers,
      collect() {
        for (const s of statuses()) {
          const added = s.callersWaited - (seenWaits.get(s.name) ?? 0);
          if (added > 0) this.inc({ app: appLabel(s.name), platform: s.platform }, added);
          seenWaits.set(s.name, s.callersWaited);
        }
      },
    });
    /**
     * A gauge read at scrape time; beyond `perAppLimit` apps, the values of a platform's apps are
     * combined with `combine` into its `app="*"` series.
     */
    const gauge = (
      name: string,
      help: string,
      read: (set: GaugeSetter) => void,
      extra: string[] = [],
      combine: Combine = Math.min,
    ) =>
      new prom.Gauge({
        name,
        help,
        labelNames: [...APP_LABELS, ...extra],
        registers,
        collect() {
          this.reset();
          if (perApp) {
            read((labels, value) => this.set(labels, value));
            return;
          }
          const combined = new Map<string, { labels: Record<string, string>; value: number }>();
          read((labels, value) => {
            const summed = { ...labels, app: ALL_APPS_LABEL };
            const key = JSON.stringify(summed);
            const seen = combined.get(key);
            if (seen === undefined) combined.set(key, { labels: summed, value });
            else seen.value = combine(seen.value, value);
          });
          for (const { labels, value } of combined.values()) this.set(labels, value);
        },
      });
    gauge(QINGTUI_METRICS.tokenExpiresIn, 'Seconds until the current token expires', (set) => {
      for (const s of statuses()) {
        if (s.expiresAt === undefined) continue;
        const left = Math.max(0, (Date.parse(s.expiresAt) - Date.now()) / 1000);
        set({ app: s.name, platform: s.platform }, Math.round(left * 1000) / 1000);
      }
    });
    gauge(
      QINGTUI_METRICS.ticketExpiresIn,
      'Seconds until the current JS-SDK ticket expires',
      (set) => {
        for (const s of tickets?.status() ?? []) {
          if (s.expiresAt === undefined) continue;
          const left = Math.max(0, (Date.parse(s.expiresAt) - Date.now()) / 1000);
          set({ app: s.name, platform: s.platform, kind: s.kind }, Math.round(left * 1000) / 1000);
        }
      },
      ['kind'],
    );
    gauge(QINGTUI_METRICS.tokenLifetime, 'Lifetime (expires_in) of the current token', (set) => {
      for (const s of statuses()) {
        if (s.expiresAt === undefined || s.issuedAt === undefined) continue;
        set(
          { app: s.name, platform: s.platform },
          (Date.parse(s.expiresAt) - Date.parse(s.issuedAt)) / 1000,
        );
      }
    });
    gauge(QINGTUI_METRICS.tokenValid, '1 while a valid token is held', (set) => {
      for (const s of statuses())
        set({ app: s.name, platform: s.platform }, s.state === 'valid' ? 1 : 0);
    });
    gauge(
      QINGTUI_METRICS.platformCallsToday,
      'Platform calls today (Beijing day), all instances',
      (set) => {
        for (const s of statuses())
          set({ app: s.name, platform: s.platform }, s.platformCallsToday.total);
      },
      [],
      (a, b) => a + b,
    );
    gauge(
      QINGTUI_METRICS.quotaUsedRatio,
      'Share of the daily quota used today',
      (set) => {
        for (const s of statuses()) {
          const { total, limit, exhaustedByPlatform } = s.platformCallsToday;
          if (exhaustedByPlatform) set({ app: s.name, platform: s.platform }, 1);
          else if (limit !== undefined)
            set({ app: s.name, platform: s.platform }, Math.min(1, total / limit));
        }
      },
      [],
      Math.max,
    );
    gauge(
      QINGTUI_METRICS.storeUp,
      '1 while the token store answers, 0 while degraded',
      (set) => {
        const store = tokens.storeInfo();
        for (const s of statuses()) {
          set(
            { app: s.name, platform: s.platform, store: store.kind },
            store.state === 'ok' ? 1 : 0,
          );
        }
      },
      ['store'],
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const name of Object.values(QINGTUI_METRICS)) this.registry.removeSingleMetric(name);
  }
}

type GaugeSetter = (labels: Record<string, string>, value: number) => void;
