import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { TokenService } from 'nestjs-qingtui';
import { Public } from '../auth/public.decorator.js';
import { KnownAppPipe } from '../common/known-app.pipe.js';
import { TOKEN_BODY_LIMIT } from '../http/body-limits.js';
import { JsonBody } from '../http/json-body.decorator.js';
import { PlatformPathsService } from './platform-paths.service.js';
import type { PlatformAnswer } from './platform-shapes.js';

/** The query as Express parsed it (read here: the global validation pipe strips plain objects). */
type Query = Record<string, unknown>;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * Each platform's own token and ticket paths under `/apps/:app/`, for SDKs whose base URL points
 * here (documented in docs/server/endpoints.md; left out of the OpenAPI document, whose shapes
 * are the server's own). Authenticated here, not by the global guard: the client key travels in
 * the SDK's secret slot, a ticket call carries the token this server handed out.
 */
@ApiExcludeController()
@Public()
@Controller('apps/:app')
export class PlatformPathsController {
  constructor(
    private readonly paths: PlatformPathsService,
    private readonly tokens: TokenService,
  ) {}

  /** WeChat: `GET /cgi-bin/token?grant_type=client_credential&appid=APPID&secret=CLIENT_KEY`. */
  @Get('cgi-bin/token')
  wechatToken(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'wechat-mp');
    return this.paths.token(request, app, 'wechat-mp', {
      grantType: text(q.grant_type),
      appId: text(q.appid),
      secret: text(q.secret),
    });
  }

  /** WeChat: `POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh}`. */
  @Post('cgi-bin/stable_token')
  @HttpCode(200)
  @JsonBody(TOKEN_BODY_LIMIT)
  wechatStableToken(
    @Param('app', KnownAppPipe) app: string,
    // `unknown`, read field by field: the global validation pipe would strip a plain object.
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    this.expect(app, 'wechat-mp');
    const b = (body !== null && typeof body === 'object' ? body : {}) as Query;
    return this.paths.token(
      request,
      app,
      'wechat-mp',
      { grantType: text(b.grant_type), appId: text(b.appid), secret: text(b.secret) },
      b.force_refresh === true,
    );
  }

  /** WeChat: `GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi|wx_card`. */
  @Get('cgi-bin/ticket/getticket')
  wechatTicket(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'wechat-mp');
    return this.paths.ticket(request, app, 'wechat-mp', text(q.type), text(q.access_token));
  }

  /** WeCom: `GET /cgi-bin/gettoken?corpid=CORPID&corpsecret=CLIENT_KEY`. */
  @Get('cgi-bin/gettoken')
  wecomToken(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'wecom');
    return this.paths.token(request, app, 'wecom', {
      appId: text(q.corpid),
      secret: text(q.corpsecret),
    });
  }

  /** WeCom: `GET /cgi-bin/get_jsapi_ticket?access_token=…` (the company's ticket). */
  @Get('cgi-bin/get_jsapi_ticket')
  wecomJsapiTicket(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'wecom');
    return this.paths.ticket(request, app, 'wecom', 'jsapi', text(q.access_token));
  }

  /** WeCom: `GET /cgi-bin/ticket/get?access_token=…&type=agent_config` (the app's ticket). */
  @Get('cgi-bin/ticket/get')
  wecomAgentTicket(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'wecom');
    const type = text(q.type);
    return this.paths.ticket(
      request,
      app,
      'wecom',
      type === 'agent_config' ? type : undefined,
      text(q.access_token),
    );
  }

  /** Qingtui: `GET /v1/token?grant_type=client_credential&appid=APPID&secret=CLIENT_KEY`. */
  @Get('v1/token')
  qingtuiToken(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'qingtui');
    return this.paths.token(request, app, 'qingtui', {
      grantType: text(q.grant_type),
      appId: text(q.appid),
      secret: text(q.secret),
    });
  }

  /** Qingtui: `GET /auth/autoRefreshToken?refresh_token=…` (a refresh_token this server gave). */
  @Get('auth/autoRefreshToken')
  qingtuiRefresh(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<PlatformAnswer> {
    const q = request.query as Query;
    this.expect(app, 'qingtui');
    return this.paths.refresh(request, app, text(q.refresh_token));
  }

  /** A path of another platform than the app's is no path of this app. */
  private expect(app: string, platform: string): void {
    const actual = this.tokens.platformOf(app);
    if (actual !== platform) {
      throw new NotFoundException(`App "${app}" is a ${actual} app: this is a ${platform} path`);
    }
  }
}
