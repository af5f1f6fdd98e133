import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { TicketService, TokenService } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import { countByState, type ReportPage, someNames } from '../common/report-page.js';
import { SecretRedactor } from '../logging/secret-redactor.js';

/**
 * Health of the token supply, from `TokenService` (never a token):
 * - `tokens`: down while an app in scope has no valid token; the state of each app otherwise
 *   (everything `TokenService.status()` reports: renewals, failures, last error, platform calls
 *   and quota);
 * - `store`: degraded (not down) while the shared store is unreachable, since tokens are
 *   still served from memory.
 */
@Injectable()
export class TokenHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly tokens: TokenService,
    private readonly redactor: SecretRedactor,
    private readonly tickets: TicketService,
  ) {}

  /**
   * Apps in `scope` only: a client key scoped to some apps learns nothing of the others. Every
   * app is counted (`summary`); the apps of `page` are listed (`apps`), none without a page
   * (the readiness check), so that 10,000 apps make a small, fast answer. The message names at
   * most 20 apps without a valid token and counts the others.
   */
  checkTokens(
    scope: ApiKeyEntry['scope'] = 'all',
    key = 'tokens',
    page?: ReportPage,
  ): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const inScope = scope === 'all' ? undefined : new Set(scope);
    const statuses = this.tokens
      .tokenStates()
      .filter((s) => inScope === undefined || inScope.has(s.name));
    const listed =
      page === undefined
        ? []
        : this.tokens.status(
            statuses.slice(page.offset, page.offset + page.limit).map((s) => s.name),
          );
    // The platform's errmsg may echo what it was sent: redacted as in the logs.
    const redacted = <T extends { lastError?: { errmsg: string } }>(s: T): T =>
      s.lastError
        ? { ...s, lastError: { ...s.lastError, errmsg: this.redactor.scrub(s.lastError.errmsg) } }
        : s;
    // Tickets are fetched on first use: a missing one is no sign of ill health, only shown.
    const ticketsOf = new Map<string, Record<string, unknown>>();
    for (const name of listed.map((s) => s.name)) ticketsOf.set(name, {});
    if (listed.length > 0) {
      for (const t of this.tickets.status([...ticketsOf.keys()])) {
        const tickets = ticketsOf.get(t.name);
        if (tickets === undefined) continue;
        const { kind, state, expiresAt, nextRenewalAt, heldBack, lastError } = t;
        tickets[kind] = redacted({ state, expiresAt, nextRenewalAt, heldBack, lastError });
      }
    }
    const apps = Object.fromEntries(
      listed.map(({ name, ...state }) => [
        name,
        { ...redacted(state), tickets: ticketsOf.get(name) ?? {} },
      ]),
    );
    const summary = {
      apps: statuses.length,
      byState: countByState(statuses),
      ...(page === undefined ? {} : { offset: page.offset, limit: page.limit }),
    };
    const invalid = statuses.filter((s) => s.state !== 'valid').map((s) => s.name);
    const details: Record<string, unknown> = page === undefined ? { summary } : { summary, apps };
    return invalid.length > 0
      ? indicator.down({ message: `No valid token for: ${someNames(invalid)}`, ...details })
      : indicator.up(details);
  }

  checkStore(key = 'store'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const { kind, state, instanceId } = this.tokens.storeInfo();
    return state === 'ok'
      ? indicator.up({ kind, state, instanceId })
      : indicator.degraded({
          kind,
          state,
          instanceId,
          message: 'Shared token store unreachable: tokens are served from memory',
        });
  }
}
