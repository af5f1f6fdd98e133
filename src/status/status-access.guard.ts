import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import { ApiKeyRegistry } from '../auth/api-key.registry.js';
import { AuthFailureMonitor } from '../auth/auth-failure.monitor.js';
import { setClientOf } from '../auth/authenticated-request.js';
import type { ServerConfig } from '../config/server-config.interface.js';

/** Realm of the browser's login prompt. */
export const STATUS_REALM = 'Qingtui token server status';

const SCHEME = /^(Bearer|Basic)[ \t]+(\S+)[ \t]*$/i;

/** The client key of an `Authorization` header: `Bearer <key>`, or HTTP Basic with the key as password. */
export function presentedKey(header: string | undefined): string | undefined {
  const match = header === undefined ? null : SCHEME.exec(header);
  if (match === null) return undefined;
  if (match[1].toLowerCase() === 'bearer') return match[2];
  const decoded = Buffer.from(match[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * Access to the status page and its data, designed for browsers: a key in the URL would end up
 * in histories and proxy logs, so a browser authenticates with HTTP Basic (any user name, a
 * client key as password: the browser asks once and then sends it with the page's own requests),
 * and scripts with `Authorization: Bearer <key>` as everywhere else. Open in sandbox mode, where
 * nothing is real. A refusal answers 401 with a Basic challenge and is counted like any other.
 */
@Injectable()
export class StatusAccessGuard implements CanActivate {
  private readonly open: boolean;

  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly failures: AuthFailureMonitor,
    @Inject(ConfigService) config: ConfigService<ServerConfig, true>,
  ) {
    this.open = config.get('platform', { infer: true }).mode === 'sandbox';
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.open) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const header = request.headers.authorization;
    const key = presentedKey(header);
    const entry = key === undefined ? undefined : this.keys.find(key);
    if (entry === undefined) {
      this.failures.record(
        header === undefined ? 'missing key' : 'invalid key',
        request.socket.remoteAddress,
        `${request.method} ${request.path.slice(0, 200)}`,
      );
      http
        .getResponse<Response>()
        .setHeader('WWW-Authenticate', `Basic realm="${STATUS_REALM}", charset="UTF-8"`);
      throw new UnauthorizedException(
        'The status page needs a client key: sign in with any user name and the key as password ' +
          '(HTTP Basic), or send Authorization: Bearer <key>',
      );
    }
    setClientOf(request, entry);
    return true;
  }
}
