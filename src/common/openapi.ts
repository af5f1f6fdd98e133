import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Path of the Swagger UI; the OpenAPI document is at `/docs-json`. */
export const DOCS_PATH = 'docs';

/** Serves the OpenAPI description and Swagger UI (public: no client key needed to read them). */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('access_token central control server for Qingtui, WeChat and WeCom')
    .setDescription(
      'Owns the access_token of each app of the Qingtui open platform, the WeChat Official Account ' +
        'platform and WeCom: fetches and renews it ahead of expiry, serves it ' +
        'to business servers, renews it when they report it rejected, and sends messages with it. ' +
        'Every route except /health, /health/live, /metrics, /status and the docs needs ' +
        '`Authorization: Bearer <client key>`; /metrics needs `Bearer <METRICS_KEY>` when that is set; ' +
        '/status takes a client key as a bearer token or as the password of HTTP Basic (open in sandbox mode).',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A client key from API_KEYS' })
    .addBasicAuth({
      type: 'http',
      scheme: 'basic',
      description: 'Status page only: any user name, a client key as password',
    })
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}
