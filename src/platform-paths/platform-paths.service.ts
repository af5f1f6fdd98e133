import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { QingtuiApiError, QingtuiError, TicketService, TokenService } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import { ApiKeyRegistry } from '../auth/api-key.registry.js';
import { AuthFailureMonitor } from '../auth/auth-failure.monitor.js';
import { setClientOf } from '../auth/authenticated-request.js';
import { keyOfRefreshToken, standInRefreshToken, standInToken } from '../auth/stand-in-token.js';
import { cacheSeconds } from '../common/dto/token-response.dto.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { RelayAuth } from '../relay/relay-auth.js';
import { RelayRefusal } from '../relay/relay-errors.js';
import { busy, type PlatformAnswer, REFUSALS } from './platform-shapes.js';
import { bearerOf } from '../auth/bearer.js';

type Platform = keyof typeof REFUSALS;

/** What a token path was given: the app's id on its platform, and the client key (the secret). */
export interface TokenAsk {
  appId?: string;
  secret?: string;
  grantType?: string;
}

/**
 * The platforms' own token and ticket paths, served from the central server's current
 * credentials: they **never** make the server fetch. A repeated fetch answers the current token;
 * WeChat's `force_refresh: true` and Qingtui's refresh_token call are at most a report of the
 * current token, verified as the passive refresh is (one cheap probe on a schedule), never a
 * platform forced refresh. The client key goes where the SDK puts the secret (or in
 * `Authorization: Bearer`), scoped as everywhere; a wrong one is the platform's credential error,
 * counted like every refused key.
 */
@Injectable()
export class PlatformPathsService {
  constructor(
    private readonly tokens: TokenService,
    private readonly tickets: TicketService,
    private readonly keys: ApiKeyRegistry,
    private readonly failures: AuthFailureMonitor,
    private readonly relayAuth: RelayAuth,
    private readonly redactor: SecretRedactor,
  ) {}

  /** WeChat `/cgi-bin/token`, WeCom `/cgi-bin/gettoken`, Qingtui `/v1/token`. */
  async token(
    request: Request,
    app: string,
    platform: Platform,
    ask: TokenAsk,
    forceRefresh = false,
  ): Promise<PlatformAnswer> {
    const checked = this.checkAsk(request, app, platform, ask);
    if (checked.refused) return checked.refused;
    const { entry } = checked;
    try {
      let info = await this.tokens.getTokenInfo(app);
      if (forceRefresh) {
        // A report of the current token, verified before anything is spent.
        info = await this.tokens.refreshInfoIfCurrent(app, info.accessToken, {
          reporter: entry.label,
        });
      }
      const answer: PlatformAnswer = {
        access_token: entry.standIn ? standInToken(entry, app, info.accessToken) : info.accessToken,
        expires_in: cacheSeconds(info.useUntil),
      };
      if (platform === 'wecom') return { errcode: 0, errmsg: 'ok', ...answer };
      if (platform === 'qingtui') {
        return { ...answer, refresh_token: standInRefreshToken(entry, app) };
      }
      return answer;
    } catch (error) {
      return this.failure(error);
    }
  }

  /** Qingtui `/auth/autoRefreshToken`: a stand-in refresh_token buys the current token. */
  async refresh(request: Request, app: string, refreshToken?: string): Promise<PlatformAnswer> {
    const shapes = REFUSALS.qingtui;
    if (refreshToken === undefined || refreshToken === '') return shapes.missingRefreshToken;
    const entry = keyOfRefreshToken(refreshToken, app, this.keys.entriesFor(app));
    if (entry === undefined) {
      this.failures.record('invalid key', request.socket.remoteAddress, this.route(request));
      return shapes.invalidRefreshToken;
    }
    setClientOf(request, entry);
    try {
      const info = await this.tokens.getTokenInfo(app);
      const token = entry.standIn ? standInToken(entry, app, info.accessToken) : info.accessToken;
      return { access_token: token, expires_in: cacheSeconds(info.useUntil) };
    } catch (error) {
      return this.failure(error);
    }
  }

  /**
   * WeChat `/cgi-bin/ticket/getticket`, WeCom `/cgi-bin/get_jsapi_ticket` and
   * `/cgi-bin/ticket/get`: authenticated by the token this server handed out (as SDKs send it)
   * or a client key.
   */
  async ticket(
    request: Request,
    app: string,
    platform: Platform,
    kind: string | undefined,
    accessToken: string | undefined,
  ): Promise<PlatformAnswer> {
    const shapes = REFUSALS[platform];
    try {
      await this.relayAuth.authenticate(request, app, accessToken);
    } catch (error) {
      // The relay's refusal in the platform's shape: its invalid-token errcode, or 48001.
      if (error instanceof RelayRefusal) return error.bodyFor(platform);
      throw error;
    }
    if (kind === undefined || !this.tickets.ticketKinds(app).includes(kind)) {
      return 'ticketType' in shapes ? shapes.ticketType : REFUSALS['wechat-mp'].ticketType;
    }
    try {
      const info = await this.tickets.getTicketInfo(app, kind);
      return {
        errcode: 0,
        errmsg: 'ok',
        ticket: info.ticket,
        expires_in: cacheSeconds(info.useUntil),
      };
    } catch (error) {
      return this.failure(error);
    }
  }

  /** The key of a token ask, or the platform's refusal (counted like the guard's refusals). */
  private checkAsk(
    request: Request,
    app: string,
    platform: Platform,
    ask: TokenAsk,
  ): { refused: PlatformAnswer; entry?: undefined } | { refused?: undefined; entry: ApiKeyEntry } {
    const shapes = REFUSALS[platform];
    if ('grantType' in shapes && ask.grantType !== 'client_credential')
      return { refused: shapes.grantType };
    if (ask.appId === undefined || ask.appId === '') return { refused: shapes.missingAppId };
    const header = bearerOf(request.headers.authorization);
    const presented = ask.secret || header;
    if (presented === undefined || presented === '') {
      this.failures.record('missing key', request.socket.remoteAddress, this.route(request));
      return { refused: shapes.missingSecret };
    }
    const entry = this.keys.find(presented);
    if (entry === undefined) {
      this.failures.record('invalid key', request.socket.remoteAddress, this.route(request));
      return { refused: shapes.wrongSecret };
    }
    if (!this.keys.allows(entry, app)) {
      this.failures.record(
        'app not in key scope',
        request.socket.remoteAddress,
        this.route(request),
      );
      const errmsg = `api unauthorized: this client key may not use app "${app}"`;
      return { refused: { errcode: 48001, errmsg } };
    }
    // The appid (corpid) must be the app's, as the platform checks it.
    const { appId } = this.tokens.identityOf(app);
    const expected = platform === 'wecom' ? appId.slice(0, appId.lastIndexOf('/')) : appId;
    if (ask.appId !== expected) return { refused: shapes.wrongAppId };
    setClientOf(request, entry);
    return { entry };
  }

  /** No credential now: the platform's errcode when it gave one, else "system busy". */
  private failure(error: unknown): PlatformAnswer {
    if (error instanceof QingtuiApiError) {
      const errmsg = this.redactor.scrub(error.errmsg);
      return error.errcode === undefined ? busy(errmsg) : { errcode: error.errcode, errmsg };
    }
    if (error instanceof QingtuiError) return busy(this.redactor.scrub(error.message));
    throw error;
  }

  private route(request: Request): string {
    return `${request.method} ${request.path.slice(0, 200)}`;
  }
}
