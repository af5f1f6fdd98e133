import { describe, expect, it, vi } from 'vitest';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { TokenSweepScheduler } from './token-sweep.scheduler.js';
import type { TokenService } from './token.service.js';

function scheduler(sweepIntervalMs: number) {
  const sweep = vi.fn();
  const reconcileNext = vi.fn();
  const options = { refresh: { sweepIntervalMs } } as ResolvedQingtuiOptions;
  return {
    sweep,
    reconcileNext,
    job: new TokenSweepScheduler({ sweep, reconcileNext } as unknown as TokenService, options),
  };
}

describe('TokenSweepScheduler', () => {
  it('sweeps once per refresh.sweepIntervalMs of one-second ticks', () => {
    const { sweep, job } = scheduler(5_000);
    const t0 = 1_700_000_000_000;
    for (let s = 0; s <= 15; s++) job.tick(t0 + s * 1_000);
    // Sweeps at 0, 5, 10 and 15 s.
    expect(sweep).toHaveBeenCalledTimes(4);
  });

  it('tolerates ticks a little early or late', () => {
    const { sweep, job } = scheduler(2_000);
    const t0 = 1_700_000_000_000;
    for (const at of [0, 1_020, 1_990, 3_010, 3_985]) job.tick(t0 + at);
    // 0 → sweep; 1_020 (too soon); 1_990 → sweep; 3_010 (too soon); 3_985 → sweep.
    expect(sweep).toHaveBeenCalledTimes(3);
  });

  it('reconciles with the shared store on every tick, whatever the sweep period', () => {
    const { reconcileNext, sweep, job } = scheduler(5_000);
    for (let s = 0; s < 5; s++) job.tick(1_000_000 + s * 1_000);
    expect(reconcileNext).toHaveBeenCalledTimes(5);
    expect(sweep).toHaveBeenCalledTimes(1);
  });

  it('sweeps on every tick with a one-second period', () => {
    const { sweep, job } = scheduler(1_000);
    for (let s = 0; s < 5; s++) job.tick(1_000_000 + s * 1_000);
    expect(sweep).toHaveBeenCalledTimes(5);
  });

  it('stops sweeping once the module is destroyed', () => {
    const { sweep, job } = scheduler(1_000);
    job.tick(1_000_000);
    job.onModuleDestroy();
    job.tick(1_001_000);
    expect(sweep).toHaveBeenCalledTimes(1);
  });
});
