import { randomUUID } from 'node:crypto';
import type { SharedValueStore } from '../core/shared-values.js';
import { tokenKey } from '../core/store-keys.js';

/**
 * Added to each window: a send reserved at t reaches the platform a little later than one
 * reserved at t + window may, so the windows are counted a little longer than the platform's.
 */
export const MEMBER_WINDOW_MARGIN_MS = 1_000;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A reservation of one message for each member. */
export interface MemberReservation {
  /** Gives the places back (the message was surely not delivered). */
  release(): Promise<void>;
}

/** Members past a limit: nothing was reserved. */
export interface MemberRefusal {
  /** The members that would pass a limit (at most 20 listed). */
  members: string[];
  /** Which limit: `minute` or `hour` (the first met). */
  limit: 'minute' | 'hour';
  /** When a place frees for every listed member, in ms. */
  retryAfterMs: number;
}

/**
 * WeCom's per-member message limits of one app (30 a minute, 1000 an hour by default), counted in
 * sliding windows shared by every instance (`SharedValueStore`, on the store's clock), so that a
 * message the platform would drop silently is refused before it is sent. All or nothing: a send to
 * several members takes a place for each of them, or none.
 *
 * Counted for members named in `touser`. Departments, tags and `@all` cannot be counted (the
 * platform resolves them), so a send to them is not limited here.
 */
export class MemberMessageLimits {
  constructor(
    private readonly values: SharedValueStore,
    private readonly keyPrefix: string,
  ) {}

  async reserve(
    scope: string,
    members: readonly string[],
    limits: { perMemberMinute: number; perMemberHour: number },
  ): Promise<MemberReservation | MemberRefusal> {
    const id = randomUUID();
    const unique = [...new Set(members)];
    const windows = [
      { name: 'minute' as const, limit: limits.perMemberMinute, ms: MINUTE_MS },
      { name: 'hour' as const, limit: limits.perMemberHour, ms: HOUR_MS },
    ];
    const taken: string[] = [];
    const release = () =>
      Promise.all(taken.map((key) => this.values.giveBackToWindow(key, id))).then(() => undefined);
    for (const window of windows) {
      const keys = unique.map((member) => this.key(scope, window.name, member));
      let waits: number[];
      try {
        waits = await Promise.all(
          keys.map((key) =>
            this.values.takeFromWindow(key, window.limit, window.ms + MEMBER_WINDOW_MARGIN_MS, id),
          ),
        );
      } catch (error) {
        // Some may have been taken: give back what can be.
        taken.push(...keys);
        await release().catch(() => undefined);
        throw error;
      }
      keys.forEach((key, i) => {
        if (waits[i] === 0) taken.push(key);
      });
      const over = unique.filter((_, i) => waits[i] > 0);
      if (over.length > 0) {
        await release();
        return {
          members: over.slice(0, 20),
          limit: window.name,
          retryAfterMs: Math.max(...waits),
        };
      }
    }
    return { release };
  }

  private key(scope: string, window: string, member: string): string {
    return tokenKey(this.keyPrefix, 'wecom-member', scope, `sliding:${window}:${member}`);
  }
}

/** Whether `reserve` refused. */
export function isMemberRefusal(
  result: MemberReservation | MemberRefusal,
): result is MemberRefusal {
  return 'members' in result;
}
