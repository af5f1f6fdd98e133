import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The usual HTTP metrics of the server: `http_requests_total` and
 * `http_request_duration_seconds` by method, route pattern (`/apps/:app/token`, never the path
 * itself, so that the label set stays small; `unmatched` for unknown paths) and status, and
 * `http_requests_in_flight`.
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly inFlight: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['method', 'route', 'status'] as const;
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames,
      registers,
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route and status',
      labelNames,
      buckets: BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being handled',
      registers,
    });
  }

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const end = this.duration.startTimer();
    this.inFlight.inc();
    response.once('close', () => {
      this.inFlight.dec();
      const route = (request.route as { path?: unknown } | undefined)?.path;
      const labels = {
        method: request.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status: String(response.statusCode),
      };
      end(labels);
      this.requests.inc(labels);
    });
    next();
  };
}
