import { All, Controller, Next, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { RelayService } from './relay.service.js';

/**
 * The relay routes: every method on `/apps/:app/cgi-bin/…` (WeChat, WeCom) and
 * `/apps/:app/v1/…`, `/v2/…`, `/team/…` (Qingtui). `@Public()` for the global guard: the relay
 * authenticates itself (a client key, or the token the server handed out: `RelayAuth`). A path
 * that is not a business call of the app's platform (an excluded token path, another platform's
 * prefix) goes on to the next route, so another controller can serve it. Left out of the
 * OpenAPI document (any method, any path): see docs/server/endpoints.md.
 */
@ApiExcludeController()
@Public()
@Controller('apps/:app')
export class RelayController {
  constructor(private readonly relay: RelayService) {}

  @All(['cgi-bin/*path', 'v1/*path', 'v2/*path', 'team/*path'])
  async forward(
    @Req() request: Request,
    @Res() response: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if ((await this.relay.handle(request, response)) === 'not-relayed') next();
  }
}
