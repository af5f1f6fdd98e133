import { Controller, Get, Header, Inject, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Registry } from 'prom-client';
import { AuthFailureMonitor } from '../auth/auth-failure.monitor.js';
import { digestKey, sameDigest } from '../auth/key-digest.js';
import { Public } from '../auth/public.decorator.js';
import type { ServerConfig } from '../config/server-config.interface.js';
import { bearerOf } from '../auth/bearer.js';

/**
 * How long one rendering of the registry is served: a scrape costs about ten token reads, so
 * any number of scrapers costs at most one rendering a second per instance.
 */
const RENDER_CACHE_MS = 1_000;

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  private readonly keyDigest?: Buffer;
  private rendered?: { at: number; text: Promise<string> };

  constructor(
    private readonly registry: Registry,
    private readonly failures: AuthFailureMonitor,
    @Inject(ConfigService) config: ConfigService<ServerConfig, true>,
  ) {
    this.keyDigest = config.get('metrics', { infer: true }).keyDigest;
  }

  @Get()
  @Public()
  @ApiBearerAuth()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Open unless METRICS_KEY is set; then `Authorization: Bearer <METRICS_KEY>` is needed. ' +
      'Rendered at most once a second (scrapes within a second get the same text). ' +
      'Process, HTTP and `qingtui_*` token metrics, labelled by app and platform; never a token or a secret.',
  })
  @ApiOkResponse({ description: 'The metrics', content: { 'text/plain': {} } })
  async metrics(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    if (this.keyDigest !== undefined) {
      const presented = bearerOf(request.headers.authorization);
      if (presented === undefined || !sameDigest(digestKey(presented), this.keyDigest)) {
        this.failures.record(
          presented === undefined ? 'missing key' : 'invalid key',
          request.socket.remoteAddress,
          'GET /metrics',
        );
        response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new UnauthorizedException('GET /metrics needs Authorization: Bearer <METRICS_KEY>');
      }
    }
    response.setHeader('Content-Type', this.registry.contentType);
    return this.render();
  }

  /** The registry's text, rendered at most once per `RENDER_CACHE_MS`. */
  private render(): Promise<string> {
    const now = Date.now();
    if (this.rendered === undefined || now - this.rendered.at >= RENDER_CACHE_MS) {
      const text = this.registry.metrics();
      this.rendered = { at: now, text };
      // A failed rendering is not served again.
      text.catch(() => {
        if (this.rendered?.text === text) this.rendered = undefined;
      });
    }
    return this.rendered.text;
  }
}
