import { type ArgumentsHost, Catch, type ExceptionFilter, Logger, Optional } from '@nestjs/common';
import { QingtuiApiError } from 'nestjs-qingtui';
import type { Request, Response } from 'express';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { errorAnswer } from './error-response.js';

/** Answers every error as JSON (see `errorAnswer`), and logs the ones that are not the client's. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');
  private readonly redactor: SecretRedactor;

  constructor(@Optional() redactor?: SecretRedactor) {
    this.redactor = redactor ?? new SecretRedactor();
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const answer = errorAnswer(exception);
    // Path only: a query string could carry anything.
    const route = `${request.method} ${request.path}`;
    if (exception instanceof QingtuiApiError && (answer.log === 'warn' || answer.log === 'debug')) {
      this.logger[answer.log](
        `${route} -> ${answer.status}: ${exception.kind} error on ${exception.endpoint}` +
          `${exception.errcode === undefined ? '' : ` (errcode ${exception.errcode})`}: ${exception.errmsg}`,
      );
    } else if (answer.log === 'error') {
      this.logger.error(
        `${route} -> ${answer.status}`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(answer.headers ?? {}))
      response.setHeader(name, value);
    // A platform's errmsg may echo what it was sent (an AppSecret, a key): an error body is
    // redacted as the logs are (it never carries a token on purpose).
    response.status(answer.status).json(this.redactor.scrubValue(answer.body));
  }
}
