import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { clientOf } from '../auth/authenticated-request.js';

const APP_IN_PATH = /^\/apps\/([^/?]{1,64})/;

/** The path of a request, without its query string (which could carry anything), bounded. */
export function pathOf(request: Request): string {
  const url = request.originalUrl ?? request.url ?? '/';
  const path = url.split('?')[0];
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * One access-log line per request (context `HTTP`), written when the answer is finished or the
 * connection closed: method, path without query, status, duration, the app of `/apps/:app/...`,
 * and the label of the client key the guard accepted (`API_KEYS[0]`), never the key.
 */
export class AccessLog {
  private readonly logger = new Logger('HTTP');

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const path = pathOf(request);
      const app = APP_IN_PATH.exec(path)?.[1];
      const client = clientOf(request)?.label;
      const aborted = !response.writableFinished;
      const status = response.statusCode;
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
