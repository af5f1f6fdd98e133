import type { Logger } from '@nestjs/common';
import type { TokenRecord } from '../core/credential-record.js';
import type { TokenBackend } from '../core/store.js';
import { messages } from '../qingtui.messages.js';
import { type AppSlot, compareRecords } from './app-slot.js';

/**
 * Brings one instance and the shared store in line, for one slot: a newer stored record is
 * returned for the engine to adopt; a newer (or missing) stored one is replaced by ours with a
 * fenced write, which every instance hears of. After a Redis restart, a FLUSHALL or a split
 * during an outage, instances converge on one record within a reconcile period, without any
 * platform call.
 */
export class StoreConvergence {
  constructor(
    private readonly backend: TokenBackend,
    private readonly logger: Logger,
  ) {}

  /** The stored record to adopt, if it is newer than ours; writes ours if the store's is older. */
  async check(slot: AppSlot): Promise<TokenRecord | undefined> {
    try {
      const stored = await this.backend.read(slot.keys.record);
      const mine = slot.record;
      if (stored && (mine === undefined || compareRecords(stored, mine) > 0)) {
        if (stored.accessToken !== mine?.accessToken) {
          this.logger.debug(messages.adopted(slot.app.name, stored.generation));
        }
        return stored;
      }
      if (mine && slot.timing.usable(mine) && (!stored || compareRecords(mine, stored) > 0)) {
        await this.backend.write(slot.keys.record, mine, stored?.generation);
      }
    } catch {
      // The backend reports its own health; the local record stays in use.
    }
    return undefined;
  }
}
