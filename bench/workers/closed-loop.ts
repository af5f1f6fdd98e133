import type { WechatLoopResult } from './wechat-loop.protocol.js';

/** Reason of a failed call, for the tally: the platform errcode when there is one. */
export function failureReason(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { errcode?: unknown; code?: unknown; name?: unknown };
    if (typeof e.errcode === 'number') return `errcode ${e.errcode}`;
    if (typeof e.code === 'number') return `errcode ${e.code}`;
    if (typeof e.code === 'string') return e.code;
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  }
  return 'other';
}

/**
 * Runs `loops` closed loops for `durationMs`: each calls, waits for the answer, pauses `pauseMs`,
 * and calls again. Times every call (failed ones too) and tallies failures by reason.
 */
export async function runClosedLoop(
  call: () => Promise<void>,
  options: { loops: number; pauseMs: number; durationMs: number },
): Promise<WechatLoopResult> {
  const result: WechatLoopResult = { calls: 0, failed: 0, failures: {}, latenciesMs: [] };
  const end = performance.now() + options.durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      try {
        await call();
      } catch (error) {
        result.failed += 1;
        const reason = failureReason(error);
        result.failures[reason] = (result.failures[reason] ?? 0) + 1;
      }
      result.calls += 1;
      result.latenciesMs.push(Math.round((performance.now() - started) * 100) / 100);
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.loops }, loop));
  return result;
}
