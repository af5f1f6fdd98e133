import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { TokenService } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import { ApiKeyRegistry } from '../auth/api-key.registry.js';
import { AuthFailureMonitor } from '../auth/auth-failure.monitor.js';
import { setClientOf } from '../auth/authenticated-request.js';
import { isStandInOf, looksLikeStandIn } from '../auth/stand-in-token.js';
import { RelayRefusal } from './relay-errors.js';
import { bearerOf } from '../auth/bearer.js';

/**
 * How long a token this instance saw replaced still authenticates its holder: about WeChat's own
 * overlap, long enough for SDKs holding it to come back for the new one.
 */
export const RELAY_PREVIOUS_TOKEN_GRACE_MS = 5 * 60_000;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Who a relayed call is made for, once authenticated. */
export interface RelayCaller {
  /** `client key`, `current token` or `previous token`. */
  via: string;
}

/**
 * Authenticates a relayed call, before its body is read, in one of two ways:
 * - a client key (`Authorization: Bearer`), scoped as the global guard scopes it (the relay's
 *   routes are `@Public()` for the guard, since the second way needs no header);
 * - the token the server hands out: an `access_token` equal to the app's current token, or to
 *   the one this instance last saw replaced within `RELAY_PREVIOUS_TOKEN_GRACE_MS`: SDKs pointed
 *   at the relay send what they got from `GET /apps/:app/token`, and no header.
 * Refusals are counted by `AuthFailureMonitor` as the guard's are (a wrong or missing token as
 * an invalid or missing key).
 */
@Injectable()
export class RelayAuth {
  /** Per app: the token last seen current, and the one before it with when it was replaced. */
  private readonly seen = new Map<
    string,
    { current: Buffer; previous?: Buffer; replacedAt?: number }
  >();

  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly failures: AuthFailureMonitor,
    private readonly tokens: TokenService,
  ) {}

  /**
   * @param app a configured app
   * @throws RelayRefusal `unauthenticated` (401) or `forbidden` (403)
   */
  async authenticate(request: Request, app: string, presented?: string): Promise<RelayCaller> {
    const route = `${request.method} ${request.path.slice(0, 200)}`;
    const address = request.socket.remoteAddress;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const key = bearerOf(header);
      const entry = key === undefined ? undefined : this.keys.find(key);
      if (entry === undefined) {
        this.failures.record('invalid key', address, route);
        throw new RelayRefusal('unauthenticated', 'invalid client key', {
          'WWW-Authenticate': 'Bearer error="invalid_token"',
        });
      }
      if (!this.keys.allows(entry, app)) {
        this.failures.record('app not in key scope', address, route);
        throw new RelayRefusal('forbidden', `this client key may not use app "${app}"`);
      }
      setClientOf(request, entry);
      return { via: 'client key' };
    }
    if (presented === undefined || presented === '') {
      this.failures.record('missing key', address, route);
      throw new RelayRefusal(
        'unauthenticated',
        'send the access_token this server handed out, or Authorization: Bearer <client key>',
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    const current = await this.tokens.getToken(app);
    if (looksLikeStandIn(presented)) {
      // A `:stand-in` key's stand-in of the current token (the relay sends the real one).
      const entry = isStandInOf(presented, app, current, this.keys.entriesFor(app));
      if (entry === undefined) {
        this.failures.record('invalid key', address, route);
        throw new RelayRefusal(
          'unauthenticated',
          'the stand-in token is not the current one: get a new one from this server',
        );
      }
      setClientOf(request, entry);
      return { via: 'stand-in token' };
    }
    const via = this.match(app, digest(presented), digest(current));
    if (via === undefined) {
      this.failures.record('invalid key', address, route);
      throw new RelayRefusal(
        'unauthenticated',
        'the access_token is not the current one: get a new one from this server',
      );
    }
    setClientOf(request, {
      label: `${app} token`,
      digest: Buffer.alloc(0),
      scope: [app],
    } satisfies ApiKeyEntry);
    return { via };
  }

  /** Tells the relay that `token` is now the app's current one (seen after a renewal). */
  noteCurrent(app: string, token: string): void {
    this.match(app, Buffer.alloc(0), digest(token));
  }

  private match(app: string, presented: Buffer, current: Buffer): string | undefined {
    let seen = this.seen.get(app);
    if (seen === undefined) {
      seen = { current };
      this.seen.set(app, seen);
    } else if (!timingSafeEqual(seen.current, current)) {
      seen.previous = seen.current;
      seen.replacedAt = Date.now();
      seen.current = current;
    }
    if (presented.length === current.length && timingSafeEqual(presented, current)) {
      return 'current token';
    }
    const fresh =
      seen.replacedAt !== undefined && Date.now() - seen.replacedAt < RELAY_PREVIOUS_TOKEN_GRACE_MS;
    if (
      fresh &&
      seen.previous &&
      presented.length === seen.previous.length &&
      timingSafeEqual(presented, seen.previous)
    ) {
      return 'previous token';
    }
    return undefined;
  }
}
