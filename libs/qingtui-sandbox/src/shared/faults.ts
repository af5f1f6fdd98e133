/** The ways a platform request can be made to fail. */
export type SandboxFaultKind = 'latency' | 'http500' | 'garbage' | 'hang' | 'reset' | 'errcode';

const FAULT_KINDS: readonly SandboxFaultKind[] = [
  'latency',
  'http500',
  'garbage',
  'hang',
  'reset',
  'errcode',
];

/**
 * A fault injected into platform requests. Only the first matching fault
 * applies to a request. Control API requests are never faulted.
 */
export interface SandboxFault {
  /**
   * - `latency`: wait `ms`, then answer normally;
   * - `http500`: HTTP 500;
   * - `garbage`: HTTP 200 with a body that is not JSON;
   * - `hang`: accept the request and never answer (until the client gives up or the sandbox stops);
   * - `reset`: destroy the socket without answering;
   * - `errcode`: HTTP 200 `{errcode, errmsg}`.
   */
  kind: SandboxFaultKind;
  /** Paths it applies to: a string matches the exact path, a RegExp tests it. Default: every path. */
  path?: string | RegExp;
  /** How many matching requests it applies to before it is removed. @default Infinity */
  times?: number;
  /** Delay of a `latency` fault, in milliseconds. @default 1000 */
  ms?: number;
  /** errcode of an `errcode` fault. @default -1 (system busy) */
  errcode?: number;
  /** errmsg of an `errcode` fault. @default 'system busy' */
  errmsg?: string;
  /**
   * Handle the request first (issue the token, deliver the message, charge
   * the quota), then fail: models "outcome unknown", e.g. a timeout after the
   * platform acted. For `latency` the normal answer is sent after the delay.
   * @default false: fail before acting
   */
  afterHandling?: boolean;
}

const DEFAULT_LATENCY_MS = 1000;

interface ActiveFault {
  readonly fault: SandboxFault;
  remaining: number;
}

/** The injected faults, in the order they were added. */
export class FaultBook {
  private faults: ActiveFault[] = [];

  /** @throws TypeError or RangeError when the fault is malformed */
  add(fault: SandboxFault): void {
    const checked = checkFault(fault);
    this.faults.push({ fault: checked, remaining: checked.times ?? Infinity });
  }

  /** The first fault matching the path, with one use consumed; undefined when none matches. */
  take(path: string): SandboxFault | undefined {
    if (this.faults.length === 0) return undefined;
    const index = this.faults.findIndex(({ fault }) => matches(fault.path, path));
    if (index < 0) return undefined;
    const active = this.faults[index];
    if (--active.remaining <= 0) this.faults.splice(index, 1);
    return active.fault;
  }

  clear(): void {
    this.faults = [];
  }
}

/** Delay of a latency fault. */
export function latencyOf(fault: SandboxFault): number {
  return fault.ms ?? DEFAULT_LATENCY_MS;
}

/**
 * Reads a fault sent as JSON to the control API. `path` is an exact path;
 * `pathPattern` (a RegExp source) stands in for a RegExp `path`.
 * @throws TypeError or RangeError when the JSON is not a valid fault
 */
export function faultFromJson(json: Record<string, unknown>): SandboxFault {
  const { pathPattern, ...rest } = json;
  if (pathPattern !== undefined) {
    if (typeof pathPattern !== 'string') {
      throw new TypeError('pathPattern must be a RegExp source string');
    }
    if (rest.path !== undefined) throw new TypeError('give either path or pathPattern, not both');
    return checkFault({ ...rest, path: patternOf(pathPattern) } as unknown as SandboxFault);
  }
  return checkFault(rest as unknown as SandboxFault);
}

function patternOf(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new TypeError(`pathPattern is not a valid RegExp: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function checkFault(fault: SandboxFault): SandboxFault {
  if (!FAULT_KINDS.includes(fault?.kind)) {
    throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const { path, times, ms, errcode, errmsg, afterHandling } = fault;
  if (path !== undefined && typeof path !== 'string' && !(path instanceof RegExp)) {
    throw new TypeError('fault path must be a string or a RegExp');
  }
  if (times !== undefined && times !== Infinity && (!Number.isInteger(times) || times < 1)) {
    throw new RangeError('fault times must be a positive integer');
  }
  if (ms !== undefined && (!Number.isFinite(ms) || ms < 0)) {
    throw new RangeError('fault ms must be a number >= 0');
  }
  if (errcode !== undefined && !Number.isInteger(errcode)) {
    throw new TypeError('fault errcode must be an integer');
  }
  if (errmsg !== undefined && typeof errmsg !== 'string') {
    throw new TypeError('fault errmsg must be a string');
  }
  if (afterHandling !== undefined && typeof afterHandling !== 'boolean') {
    throw new TypeError('fault afterHandling must be a boolean');
  }
  return { ...fault };
}

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  if (typeof pattern === 'string') return pattern === path;
  pattern.lastIndex = 0;
  return pattern.test(path);
}
