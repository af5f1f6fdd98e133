import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Path of the Swagger UI; the OpenAPI document is at `/docs-json`. */
export const DOCS_PATH = 'docs';

/** Serves the OpenAPI description and Swagger UI (public: no client key needed to read them). */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Qingtui access_token central control server')
    .setDescription(
      'Owns the access_token of each Qingtui app: fetches and renews it ahead of expiry, serves it ' +
        'to business servers, renews it when they report it rejected, and sends messages with it. ' +
        'Every route except /health, /health/live and the docs needs `Authorization: Bearer <client key>`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A client key from API_KEYS' })
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}
