import type { NextFunction, Request, Response } from 'express';

/**
 * Admission of requests over the process's life, as the first middleware:
 * - while the server starts (the port is bound before tokens are fetched), requests wait for
 *   `open()` instead of meeting routes that do not exist yet;
 * - `GET /health/live` is answered at once, even before `open()`;
 * - it keeps track of the requests in flight;
 * - once `drain()` is called (shutdown), every answer not yet sent carries `Connection: close`,
 *   so that keep-alive connections end with the request they carry.
 */
export class RequestGate {
  private opened = false;
  private draining = false;
  private readonly responses = new Set<Response>();
  private release!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.release = resolve));

  /** Requests being handled now. */
  get inflight(): number {
    return this.responses.size;
  }

  /** Lets requests through (start-up finished). */
  open(): void {
    this.opened = true;
    this.release();
  }

  /** From now on, connections close after their current answer. */
  drain(): void {
    this.draining = true;
    for (const response of this.responses) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
  }

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    if (!this.opened && request.method === 'GET' && request.path === '/health/live') {
      // Liveness answers at once, even while the start-up waits on a platform that hangs: the
      // process is alive, and an orchestrator must not kill it for being patient.
      response.status(200).json({ status: 'ok' });
      return;
    }
    this.responses.add(response);
    response.once('close', () => this.responses.delete(response));
    if (this.draining) response.setHeader('Connection', 'close');
    if (this.opened) next();
    else void this.ready.then(() => next());
  };
}
