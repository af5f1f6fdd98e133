import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { clientOf } from '../auth/authenticated-request.js';

const APP_IN_PATH = /^\/apps\/([^/?]{1,192})/;
/** Status of requests refused for a missing or unknown client key, counted by the audit instead. */
const REFUSED: ReadonlySet<number> = new Set([401]);

/** The path of a request, without its query string (which could carry anything), bounded. */
export function pathOf(request: Request): string {
  const url = request.originalUrl ?? request.url ?? '/';
  const path = url.split('?')[0];
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** The app named by a path segment, decoded (`%E5%BA%94` → `应`), control characters replaced. */
export function appOf(path: string): string | undefined {
  const raw = APP_IN_PATH.exec(path)?.[1];
  if (raw === undefined) return undefined;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: shown as sent.
  }
  // Control characters are what is being removed: they would forge log lines.
  // eslint-disable-next-line no-control-regex
  return decoded.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
}

/**
 * One access-log line per request (context `HTTP`), written when the answer is finished or the
 * connection closed: method, path without query, status, duration, the app of `/apps/:app/...`
 * (decoded), and the label of the client key the guard accepted (`API_KEYS[0]`), never the key.
 * Unauthenticated requests (401) get no line of their own: the client-key audit
 * (`AuthFailureMonitor`) logs the first and sums up the others every interval, so that a client
 * looping without a key cannot fill the log.
 */
export class AccessLog {
  private readonly logger = new Logger('HTTP');

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const status = response.statusCode;
      if (REFUSED.has(status)) return;
      const path = pathOf(request);
      const app = appOf(path);
      const client = clientOf(request)?.label;
      const aborted = !response.writableFinished;
      this.logger.log(
        `${request.method} ${path} ${status} ${durationMs} ms` +
          (app === undefined ? '' : ` app=${app}`) +
          (client === undefined ? '' : ` client=${client}`) +
          (aborted ? ' (connection closed before the answer was sent)' : ''),
        {
          method: request.method,
          path,
          status,
          durationMs,
          ...(app === undefined ? {} : { app }),
          ...(client === undefined ? {} : { client }),
          ...(aborted ? { aborted } : {}),
        },
      );
    });
    next();
  };
}
