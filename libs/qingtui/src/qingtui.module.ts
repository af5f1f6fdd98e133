import { HttpModule } from '@nestjs/axios';
import { type DynamicModule, Module } from '@nestjs/common';
import { qingtuiClientProviders } from './clients/qingtui-client.providers.js';
import { QingtuiClients } from './clients/qingtui-clients.service.js';
import { QingtuiEvents } from './events/qingtui-events.service.js';
import { AccessTokenInterceptor } from './http/access-token.interceptor.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import { qingtuiObservabilityProviders } from './metrics/qingtui-metrics.providers.js';
import {
  QINGTUI_ASYNC_OPTIONS_TYPE,
  QINGTUI_OPTIONS_TYPE,
  QingtuiConfigurableModule,
} from './qingtui.module-definition.js';
import {
  appCatalogueProvider,
  idempotencyLedgerProvider,
  memberMessageLimitsProvider,
  platformUsageProvider,
  qingtuiHttpProvider,
  qingtuiOptionsProviders,
  tokenBackendProvider,
  ticketServiceProvider,
  tokenServiceProvider,
  tokenSourceProvider,
} from './qingtui.providers.js';
import { IdempotencyLedger } from './idempotency/idempotency-ledger.js';
import { MemberMessageLimits } from './quotas/member-message-limits.js';
import { TicketService } from './tickets/ticket.service.js';
import { TokenService } from './token/token.service.js';
import { TokenSweepScheduler } from './token/token-sweep.scheduler.js';

/**
 * Manages the access_tokens of Qingtui, WeChat Official Account and WeCom apps:
 * `QingtuiModule.forRoot({ apps: [...] })` or
 * `QingtuiModule.forRootAsync({ imports, inject, useFactory | useClass | useExisting, clients })`.
 *
 * It needs the application's `ScheduleModule.forRoot()` (from `@nestjs/schedule`), imported
 * once by the application: the renewal timers are kept in its `SchedulerRegistry` and the
 * safety-net sweep is one of its `@Cron` jobs. The module starts no scheduler of its own (a
 * second `forRoot()` would run each of the application's jobs twice); without one it fails at
 * start-up saying what to import. The provider factories are in `qingtui.providers.ts`.
 */
@Module({
  // The module's own axios instance (not global): the token logic never touches the app's other
  // HTTP calls, and the app's HttpModule never sees this one.
  imports: [
    // registerAsync: the axios instance is created per application, not once per process
    // (`register()` would create it when this file loads, sharing interceptors between apps).
    HttpModule.registerAsync({ useFactory: () => ({}) }),
  ],
  providers: [
    ...qingtuiOptionsProviders,
    appCatalogueProvider,
    tokenBackendProvider,
    platformUsageProvider,
    tokenSourceProvider,
    tokenServiceProvider,
    ticketServiceProvider,
    idempotencyLedgerProvider,
    memberMessageLimitsProvider,
    TokenSweepScheduler,
    AccessTokenInterceptor,
    QingtuiClients,
    qingtuiHttpProvider,
    ...qingtuiObservabilityProviders,
  ],
  exports: [
    TokenService,
    TicketService,
    QingtuiClients,
    QingtuiEvents,
    QINGTUI_HTTP,
    IdempotencyLedger,
    MemberMessageLimits,
  ],
})
export class QingtuiModule extends QingtuiConfigurableModule {
  /**
   * Options known when the module is declared. Every app of `apps` (or `centralServer.apps`)
   * gets an injectable client of its platform, as do the apps listed in `clients`.
   */
  static override forRoot(options: typeof QINGTUI_OPTIONS_TYPE): DynamicModule {
    const entries: unknown[] = [options.centralServer?.apps ?? options.apps ?? []].flat();
    // Each app gets the typed client of its platform (Qingtui, WeChat or WeCom).
    const names = entries.flatMap((entry) => {
      if (typeof entry === 'string') return [entry];
      const app = entry as { name?: unknown } | null;
      return typeof app?.name === 'string' ? [app.name] : [];
    });
    return withClients(super.forRoot(options), [...names, ...(options.clients ?? [])]);
  }

  /**
   * Options computed at start-up (`useFactory`, `useClass` or `useExisting`). List in `clients`
   * the apps whose clients are injected with `@InjectQingtuiClient('name')`.
   */
  static override forRootAsync(options: typeof QINGTUI_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withClients(super.forRootAsync(options), options.clients ?? []);
  }
}

/** Adds the client providers of the declared apps (and of the default app), and exports them. */
function withClients(module: DynamicModule, apps: unknown[]): DynamicModule {
  const providers = qingtuiClientProviders(
    apps.filter((name): name is string => typeof name === 'string'),
  );
  return {
    ...module,
    providers: [...(module.providers ?? []), ...providers],
    exports: [...(module.exports ?? []), ...providers.map((p) => p.provide)],
  };
}
