import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeyRegistry } from './api-key.registry.js';
import { AuthFailureMonitor } from './auth-failure.monitor.js';
import { setClientOf } from './authenticated-request.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { bearerOf } from './bearer.js';

/**
 * Global guard: every route needs `Authorization: Bearer <key>` unless marked `@Public()`.
 * 401 (with `WWW-Authenticate: Bearer`) for a missing or unknown key, 403 for a key whose
 * scope does not include the route's `:app`. Runs before any body is read (bodies are parsed by
 * `JsonBodyInterceptor`, after the guards), so an unauthenticated body costs no parsing.
 * Refusals are counted and logged by `AuthFailureMonitor`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
    private readonly failures: AuthFailureMonitor,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const route = `${request.method} ${request.path.slice(0, 200)}`;
    const header = request.headers.authorization;
    const presented = bearerOf(header);
    const entry = presented === undefined ? undefined : this.keys.find(presented);
    if (entry === undefined) {
      this.failures.record(
        header === undefined ? 'missing key' : 'invalid key',
        request.socket.remoteAddress,
        route,
      );
      const challenge = header === undefined ? 'Bearer' : 'Bearer error="invalid_token"';
      http.getResponse<Response>().setHeader('WWW-Authenticate', challenge);
      throw new UnauthorizedException(
        header === undefined
          ? 'Missing client key: send Authorization: Bearer <key>'
          : 'Invalid client key',
      );
    }
    const app = request.params?.app;
    if (typeof app === 'string' && !this.keys.allows(entry, app)) {
      this.failures.record('app not in key scope', request.socket.remoteAddress, route);
      throw new ForbiddenException(`This client key may not use app "${app.slice(0, 64)}"`);
    }
    setClientOf(request, entry);
    return true;
  }
}
