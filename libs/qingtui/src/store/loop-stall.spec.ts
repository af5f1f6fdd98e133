import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopStallClock, withDeadline } from './loop-stall.js';

/** Blocks the event loop for `ms` (what a long synchronous task does). */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** A child process answering each line on stdin at once: a reply that comes through real I/O. */
function echo() {
  const child = spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const ask = (line: string) =>
    new Promise<string>((resolve) => {
      child.stdout.once('data', (data: Buffer) => resolve(data.toString()));
      child.stdin.write(`${line}\n`);
    });
  return { child, ask };
}

describe('withDeadline (a busy event loop is not a dead Redis, issue 18.1)', () => {
  const clock = new LoopStallClock();
  let peer: ReturnType<typeof echo>;
  beforeAll(async () => {
    clock.acquire();
    peer = echo();
    await peer.ask('warm-up');
  });
  afterAll(() => {
    clock.release();
    peer.child.kill();
  });

  it('takes an answer that arrived while the loop was blocked past the deadline', async () => {
    const answer = withDeadline(peer.ask('ping'), 100, clock);
    // The answer is in the pipe within milliseconds, but unread until the loop is free again:
    // by then the deadline's timer is due, and timers run before sockets are read.
    blockFor(400);
    await expect(answer).resolves.toBe('ping\n');
  });

  it('counts the stall: a command that never answers fails one timeout after the loop is free', async () => {
    const startedAt = performance.now();
    const never = withDeadline(new Promise<never>(() => undefined), 150, clock);
    blockFor(400);
    await expect(never).rejects.toThrow('no answer within 150 ms');
    // Not at the end of the block (400 ms): the stall, less the clock's 100 ms resolution, is
    // not counted as waiting.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(400 - 100 + 140);
  });

  it('fails after the timeout when the loop is free', async () => {
    const startedAt = performance.now();
    await expect(withDeadline(new Promise<never>(() => undefined), 120, clock)).rejects.toThrow(
      'no answer within 120 ms',
    );
    const took = performance.now() - startedAt;
    expect(took).toBeGreaterThanOrEqual(115);
    expect(took).toBeLessThan(1_000);
  });

  it('passes a failure on as it is', async () => {
    await expect(withDeadline(Promise.reject(new Error('refused')), 100, clock)).rejects.toThrow(
      'refused',
    );
  });

  it('adds up the stalls, not the ordinary ticks', async () => {
    const before = clock.stalled();
    await new Promise((r) => setTimeout(r, 350));
    expect(clock.stalled() - before).toBeLessThan(50);
    blockFor(300);
    expect(clock.stalled() - before).toBeGreaterThanOrEqual(150);
  });
});
