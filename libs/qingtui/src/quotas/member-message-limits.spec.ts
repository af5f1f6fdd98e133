import { describe, expect, it } from 'vitest';
import { MemorySharedValues } from '../store/memory-shared-values.js';
import { isMemberRefusal, MemberMessageLimits } from './member-message-limits.js';

const LIMITS = { perMemberMinute: 30, perMemberHour: 1000 };

function setup() {
  const clock = { t: 5_000_000 };
  const values = new MemorySharedValues(() => clock.t);
  return { clock, limits: new MemberMessageLimits(values, 'p') };
}

describe('MemberMessageLimits', () => {
  it('30 messages a minute per member; the 31st refused, naming the member, until the minute slides', async () => {
    const { clock, limits } = setup();
    for (let i = 0; i < 30; i += 1) {
      expect(isMemberRefusal(await limits.reserve('hr', ['alice'], LIMITS))).toBe(false);
      clock.t += 1_000;
    }
    const refused = await limits.reserve('hr', ['alice', 'bob'], LIMITS);
    expect(refused).toMatchObject({ members: ['alice'], limit: 'minute' });
    // All or nothing: bob was not counted either.
    for (let i = 0; i < 30; i += 1) {
      expect(isMemberRefusal(await limits.reserve('hr', ['bob'], LIMITS))).toBe(false);
    }
    expect(isMemberRefusal(await limits.reserve('hr', ['bob'], LIMITS))).toBe(true);
    // The oldest of alice's frees 61 s (60 s + the margin) after it was taken.
    clock.t += 31_000;
    expect(isMemberRefusal(await limits.reserve('hr', ['alice'], LIMITS))).toBe(false);
  });

  it('1000 an hour per member, across minutes', async () => {
    const { clock, limits } = setup();
    for (let i = 0; i < 1000; i += 1) {
      expect(isMemberRefusal(await limits.reserve('hr', ['carol'], LIMITS))).toBe(false);
      clock.t += 3_000; // 20 a minute: under the minute limit
    }
    expect(await limits.reserve('hr', ['carol'], LIMITS)).toMatchObject({ limit: 'hour' });
  });

  it('a released reservation gives its places back; a repeated member counts once; apps are apart', async () => {
    const { limits } = setup();
    const small = { perMemberMinute: 1, perMemberHour: 10 };
    const first = await limits.reserve('hr', ['dave', 'dave'], small);
    expect(isMemberRefusal(first)).toBe(false);
    expect(isMemberRefusal(await limits.reserve('hr', ['dave'], small))).toBe(true);
    expect(isMemberRefusal(await limits.reserve('sales', ['dave'], small))).toBe(false);
    if (!isMemberRefusal(first)) await first.release();
    expect(isMemberRefusal(await limits.reserve('hr', ['dave'], small))).toBe(false);
  });
});
