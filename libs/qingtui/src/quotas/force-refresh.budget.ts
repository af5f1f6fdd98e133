import type { ResolvedApp } from '../core/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { messages } from '../qingtui.messages.js';
import type { TokenBackend } from '../core/store.js';
import { appKey } from '../core/store-keys.js';
import { nextPlatformDayAt, platformDayOf } from './platform-usage.js';

/**
 * The budget of explicit forced refreshes (WeChat stable_token: 20 a day, 30 s apart), counted
 * across every instance sharing the store: a call slot reserved for the spacing, an atomic
 * counter per platform day (Beijing time) for the day's limit.
 */
export class ForceRefreshBudget {
  constructor(
    private readonly backend: TokenBackend,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one forced refresh of the app: the spacing first (a refused call uses no budget), then
   * the day's count. Resolves to the count used today, with the limit.
   * @throws QingtuiApiError `rate-limit` (too soon) or `quota` (the day's budget is used), with
   *   `retryAfterMs`; nothing is sent to the platform
   */
  async take(app: ResolvedApp, label: string): Promise<{ used: number; limit: number }> {
    const rules = app.semantics.forceRefresh!;
    if (rules.minIntervalMs > 0) {
      const wait = await this.backend.reserveCall(
        appKey(this.keyPrefix, app, 'force-call'),
        rules.minIntervalMs,
      );
      if (wait > 0) {
        throw refusal(
          'rate-limit',
          messages.forceRefreshTooSoon(app.name, rules.minIntervalMs),
          wait,
          label,
        );
      }
    }
    const now = this.now();
    const key = appKey(this.keyPrefix, app, `force:${platformDayOf(now)}`);
    const untilTomorrow = nextPlatformDayAt(now) - now;
    const ttl = untilTomorrow + 3_600_000;
    const used = await this.backend.addToCounter(key, 1, ttl);
    if (used > rules.dailyLimit) {
      await this.backend.addToCounter(key, -1, ttl);
      throw refusal(
        'quota',
        messages.forceRefreshBudgetUsed(app.name, rules.dailyLimit),
        untilTomorrow,
        label,
      );
    }
    return { used, limit: rules.dailyLimit };
  }
}

function refusal(
  kind: 'rate-limit' | 'quota',
  message: string,
  retryAfterMs: number,
  label: string,
): QingtuiApiError {
  return QingtuiApiError.heldBack({
    kind,
    errmsg: message,
    endpoint: 'force-refresh',
    retryAfterMs,
    platform: label,
  });
}
