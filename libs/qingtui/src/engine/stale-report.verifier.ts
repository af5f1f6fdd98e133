import type { Logger } from '@nestjs/common';
import type { ProbeVerdict, TokenSource } from '../core/credential-source.js';
import type { TokenBackend } from '../core/store.js';
import { messages } from '../qingtui.messages.js';
import type { PlatformUsage } from '../quotas/platform-usage.js';
import type { AppSlot } from './app-slot.js';

/** How long a report waits for another instance's renewal after that instance's probe. */
const SKIPPED_PROBE_WAIT_MS = 1_000;
/** Between two renewals on a platform's rejection, a new rejection is checked with a probe. */
const REJECTION_RENEWAL_SPACING_MS = 10_000;

/**
 * - `confirmed`: the platform refuses the value (or the report is first-hand and none was acted
 *   on in the last 10 s, or no probe exists: a central server confirms reports itself);
 * - `refused`: the value is still accepted, or its probe is not due yet;
 * - `skipped`: another instance probed it a moment ago; the store may hold its renewal.
 */
export type ReportVerdict = 'confirmed' | 'refused' | 'skipped';

export interface StaleReportVerifierDeps {
  probe?: TokenSource['probe'];
  backend: TokenBackend;
  usage: PlatformUsage;
  logger: Logger;
  now: () => number;
}

/**
 * Whether a reported rejection is worth a renewal. Without this check, a client looping on
 * "this token was rejected" would spend one platform grant per report (4,095 in 20 s were
 * measured): a value the platform still accepts is never renewed on a report. One schedule per
 * value, whoever reports it (see `RejectionCheck`): a looping client, or a thousand of them,
 * costs at most a few probes a minute, for as long as they loop.
 */
export class StaleReportVerifier {
  constructor(private readonly deps: StaleReportVerifierDeps) {}

  async verify(
    slot: AppSlot,
    token: string,
    firstHand: boolean,
    reporter: string,
  ): Promise<ReportVerdict> {
    const { probe, usage, logger, now } = this.deps;
    const at = now();
    if (firstHand && at - slot.lastRejectionRenewalAt >= REJECTION_RENEWAL_SPACING_MS) {
      return 'confirmed';
    }
    if (probe === undefined) return 'confirmed';
    if (slot.probing === undefined && slot.rejections.waitBeforeProbe(token, reporter, at) > 0) {
      return 'refused';
    }
    if (!usage.allows(slot.app.name, 'demand', 'api')) {
      // Once per value: a client looping on its report must not flood the log.
      if (slot.uncheckedToken !== token) logger.warn(messages.reportNotChecked(slot.app.name));
      slot.uncheckedToken = token;
      return 'refused';
    }
    slot.probing ??= this.probeSpaced(slot, token, reporter, probe).finally(
      () => (slot.probing = undefined),
    );
    // 'unknown' (the platform did not answer): a renewal would not get through either.
    const verdict = await slot.probing;
    return verdict === 'rejected' ? 'confirmed' : verdict === 'skipped' ? 'skipped' : 'refused';
  }

  /**
   * One probe of `token`, in a slot shared by every instance on the store, so that the schedule
   * holds for a fleet too; its verdict is recorded once, whoever waits for it.
   */
  private async probeSpaced(
    slot: AppSlot,
    token: string,
    reporter: string,
    probe: NonNullable<TokenSource['probe']>,
  ): Promise<ProbeVerdict | 'skipped'> {
    const { backend, now } = this.deps;
    const rejections = slot.rejections;
    const spacing = rejections.nextSpacing(token, reporter, now());
    const schedule = rejections.scheduleOf(token, reporter);
    // Keyed by the record's generation, which names this value on every instance (no secret).
    const generation = slot.record?.accessToken === token ? slot.record.generation : 0;
    const probeKey = slot.keys.probe(schedule, generation);
    const wait = spacing > 0 ? await backend.reserveCall(probeKey, spacing).catch(() => 0) : 0;
    if (wait > 0 && backend.kind !== 'memory') {
      // Another instance probed this value a moment ago: if it found it rejected, its renewal
      // is about to be stored. Wait a little for it (at most a second); the engine then reads
      // the store.
      await backend.waitForChange(slot.keys.record, Math.min(wait, SKIPPED_PROBE_WAIT_MS));
    }
    const verdict = wait > 0 ? 'skipped' : await probe(slot.app, token);
    rejections.record(token, reporter, verdict, now());
    return verdict;
  }
}
