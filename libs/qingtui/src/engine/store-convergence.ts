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
    return (await this.checkMany([slot]))[0];
  }

  /**
   * `check` for several slots with one batched read (`readMany`): the stored records to adopt,
   * in the order of `slots`; ours written back where the store's is older or missing.
   */
  async checkMany(slots: readonly AppSlot[]): Promise<(TokenRecord | undefined)[]> {
    if (slots.length === 0) return [];
    let stored: (TokenRecord | undefined)[];
    try {
      stored = await this.backend.readMany(slots.map((slot) => slot.keys.record));
    } catch {
      // The backend reports its own health; the local records stay in use.
      return slots.map(() => undefined);
    }
    const writes: Promise<unknown>[] = [];
    const adopt = slots.map((slot, i) => {
      const found = stored[i];
      const mine = slot.record;
      if (found && (mine === undefined || compareRecords(found, mine) > 0)) {
        if (found.accessToken !== mine?.accessToken) {
          this.logger.debug(messages.adopted(slot.app.name, found.generation));
        }
        return found;
      }
      if (mine && slot.timing.usable(mine) && (!found || compareRecords(mine, found) > 0)) {
        writes.push(this.backend.write(slot.keys.record, mine, found?.generation).catch(noop));
      }
      return undefined;
    });
    await Promise.all(writes);
    return adopt;
  }
}

const noop = () => undefined;
