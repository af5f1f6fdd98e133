import { type INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { RequestGate } from './request-gate.js';

/**
 * SIGTERM / SIGINT: stop accepting connections at once, let the requests in flight finish (at
 * most `timeoutMs`), then close the application (timers, Redis, sandbox) within what is left of
 * `timeoutMs` (at least 1 s) and exit 0; exit 1 if closing takes longer (a frozen Redis). A
 * second signal exits at once with status 1.
 *
 * Nest's own shutdown hooks close the HTTP server last, after every module is destroyed: new
 * requests would keep arriving at a server whose token service is gone. Hence this order.
 */
/** Least time given to closing the application once the requests in flight are done. */
const MIN_CLOSE_MS = 1_000;

export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  private stopping = false;

  constructor(
    private readonly app: INestApplication,
    private readonly server: Server,
    private readonly gate: RequestGate,
    private readonly timeoutMs: number,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** Handles SIGTERM and SIGINT from now on. */
  install(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => void this.stop(signal));
    }
  }

  async stop(signal: string): Promise<void> {
    if (this.stopping) {
      this.logger.warn(`${signal} again: exiting now`);
      this.exit(1);
      return;
    }
    this.stopping = true;
    const deadline = Date.now() + this.timeoutMs;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.gate.drain();
    this.server.closeIdleConnections();
    this.logger.log(
      `${signal}: no longer accepting connections; finishing ${this.gate.inflight} request(s) ` +
        `in flight (at most ${this.timeoutMs} ms)`,
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.logger.warn(
        `${this.gate.inflight} request(s) still in flight after ${this.timeoutMs} ms ` +
          '(SHUTDOWN_TIMEOUT_MS): closing their connections',
      );
      this.server.closeAllConnections();
    }
    try {
      // Closing the application (timers, the Redis connection) gets what is left of the budget,
      // at least a second: a frozen Redis must not hold the exit for tens of seconds.
      const budget = Math.max(MIN_CLOSE_MS, deadline - Date.now());
      let closeTimer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        this.app.close().then(() => true),
        new Promise<boolean>((resolve) => (closeTimer = setTimeout(() => resolve(false), budget))),
      ]);
      clearTimeout(closeTimer);
      if (!finished) {
        this.logger.warn(
          `Closing the application took longer than ${budget} ms (SHUTDOWN_TIMEOUT_MS; the store ` +
            'may be unreachable): exiting without waiting for it',
        );
        this.exit(1);
        return;
      }
      this.logger.log('Stopped');
      this.exit(0);
    } catch (error) {
      this.logger.error(`Closing the application failed: ${String(error)}`);
      this.exit(1);
    }
  }
}
