import { performance } from 'node:perf_hooks';
import type { SandboxFault } from './faults.js';
import { errcodeOf, type Reply } from './http-io.js';

/**
 * The `log` option's line for one platform request: method, path, status,
 * errcode, fault, duration. Never a query string or a body.
 * @param started `performance.now()` when the request arrived
 */
export function requestLogLine(
  method: string | undefined,
  path: string,
  reply: Reply | undefined,
  fault: SandboxFault | undefined,
  started: number,
): string {
  const outcome =
    reply === undefined ? 'no answer' : `${reply.status} errcode=${errcodeOf(reply) ?? '-'}`;
  const faulted =
    fault === undefined ? '' : ` fault=${fault.kind}${fault.afterHandling ? '(after)' : ''}`;
  return `${method} ${path} ${outcome}${faulted} ${(performance.now() - started).toFixed(1)}ms`;
}
