import type { Logger } from '@nestjs/common';
import type { TokenRecord } from '../core/credential-record.js';
import type { RenewalReason } from '../core/credential-source.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type { QingtuiStaleTokenReportedEvent } from '../events/qingtui-events.interface.js';
import type { CredentialEventSink } from './credential-events.js';
import { messages } from '../qingtui.messages.js';
import type { AppSlot, FailureNote } from './app-slot.js';

/**
 * Tells the logs and the events what the lifecycle did: a grant, a same-value answer, a
 * failure (logged once per change of state, an event each time), a recovery, a stale report.
 * It only reports; it decides nothing.
 */
export class RenewalReport {
  constructor(
    private readonly logger: Logger,
    private readonly events: CredentialEventSink,
    private readonly now: () => number,
  ) {}

  renewed(
    slot: AppSlot,
    record: TokenRecord,
    same: boolean,
    reason: RenewalReason,
    lockWaitMs: number,
    kept: boolean,
  ): void {
    const now = this.now();
    if (same) {
      if (!kept) return;
      // Not a failure, not a loop: the platform still has this value; the record says when to
      // ask again. A grant is a new value, and the metrics count what the platform granted.
      const validS = Math.round((record.expiresAt - now) / 1000);
      this.logger.debug(
        messages.sameTokenKept(slot.app.name, validS, record.renewNotBefore ?? now),
      );
      return;
    }
    this.events.renewed({
      app: slot.app.name,
      via: record.origin,
      reason,
      generation: record.generation,
      expiresAt: new Date(record.expiresAt).toISOString(),
      durationMs: now - (slot.renewal?.startedAt ?? now),
      lockWaitMs,
    });
    // A record fenced out by a newer one is granted but never served: not logged as in use.
    if (!kept) return;
    const lifetimeS = Math.round((record.expiresAt - record.issuedAt) / 1000);
    this.logger.log(messages.renewed(slot.app.name, record.origin, record.generation, lifetimeS));
  }

  recovered(slot: AppSlot, failures: number): void {
    if (failures > 0) this.logger.log(messages.recovered(slot.app.name, failures));
  }

  failed(slot: AppSlot, error: unknown, note: FailureNote): void {
    const { hold, leftMs, changed } = note;
    const e = error instanceof QingtuiApiError ? error : undefined;
    const lastError = slot.lastError!;
    if (changed) {
      if (hold.reason === 'credentials') {
        this.logger.error(
          messages.credentialsRejected(slot.app.name, slot.app.label, error, hold.delayMs),
        );
      } else {
        this.logger.warn(messages.renewalFailed(slot.app.name, error, hold.delayMs, leftMs));
      }
    }
    const now = this.now();
    this.events.renewalFailed({
      app: slot.app.name,
      reason: slot.renewal?.reason ?? 'scheduled',
      error: { kind: e?.kind ?? 'internal', errcode: e?.errcode, errmsg: lastError.errmsg },
      consecutiveFailures: slot.failures,
      retryInMs: hold.delayMs,
      tokenStillValid: leftMs > 0,
      durationMs: now - (slot.renewal?.startedAt ?? now),
    });
    if (hold.reason === 'credentials') {
      this.events.credentialsRejected({
        app: slot.app.name,
        errcode: lastError.errcode,
        errmsg: lastError.errmsg,
        consecutiveRejections: slot.credentialFailures,
        retryInMs: hold.delayMs,
      });
    }
  }

  staleReported(
    slot: AppSlot,
    firstHand: boolean,
    outcome: QingtuiStaleTokenReportedEvent['outcome'],
  ): void {
    this.events.staleReported({
      app: slot.app.name,
      outcome,
      by: firstHand ? 'interceptor' : 'caller',
    });
  }
}
