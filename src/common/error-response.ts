import { HttpException, HttpStatus } from '@nestjs/common';
import { QingtuiApiError, QingtuiValidationError } from 'nestjs-qingtui';

/** Largest accepted request body. */
export const BODY_LIMIT = '1mb';

/** An HTTP answer to an error. */
export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Level of the log line, if any: `warn`/`error` when the server or the platform failed. */
  log?: 'debug' | 'warn' | 'error';
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function reason(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

function plain(status: number, message: string, extra: Record<string, unknown> = {}): ErrorAnswer {
  return { status, body: { statusCode: status, error: reason(status), message, ...extra } };
}

/** The shape of errors raised by Express's body parser (`http-errors` with a `type`). */
interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BodyParserError>).type === 'string' &&
    typeof (error as Partial<BodyParserError>).status === 'number'
  );
}

/**
 * Maps anything thrown while handling a request to an HTTP answer. Library errors get their
 * HTTP meaning; bodies never carry a stack trace, and anything unexpected is a bare 500.
 * Messages of body-parser errors are replaced: they may quote the body back.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  // Nest wraps body-parser errors in an HttpException that repeats the parser's message.
  const cause = error instanceof HttpException ? error.cause : undefined;
  if (isBodyParserError(cause)) return bodyParserAnswer(cause);
  if (isBodyParserError(error)) return bodyParserAnswer(error);

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    return typeof response === 'string'
      ? plain(status, response)
      : { status, body: response as Record<string, unknown> };
  }

  if (error instanceof QingtuiValidationError) {
    return plain(HttpStatus.BAD_REQUEST, `${error.field} ${error.problem}`, { field: error.field });
  }

  if (error instanceof QingtuiApiError) {
    const detail = { errcode: error.errcode, errmsg: error.errmsg };
    if (error.kind === 'transient') {
      return {
        ...plain(
          HttpStatus.SERVICE_UNAVAILABLE,
          'The Qingtui platform could not be reached; retry later',
          detail,
        ),
        headers: { 'Retry-After': '5' },
        log: 'warn',
      };
    }
    return {
      ...plain(
        HttpStatus.BAD_GATEWAY,
        `The Qingtui platform refused the call (${error.kind})`,
        detail,
      ),
      // A refused request (not a follower, bad parameter) is the caller's business, not ours.
      log: error.kind === 'request' ? 'debug' : 'warn',
    };
  }

  return { ...plain(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error'), log: 'error' };
}

function bodyParserAnswer(error: BodyParserError): ErrorAnswer {
  switch (error.type) {
    case 'entity.too.large':
      return plain(HttpStatus.PAYLOAD_TOO_LARGE, 'The request body is larger than 1 MB');
    case 'entity.parse.failed':
      return plain(HttpStatus.BAD_REQUEST, 'The request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return plain(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body encoding: send UTF-8 JSON');
    default:
      return plain(
        error.status >= 400 && error.status < 500 ? error.status : 400,
        'Invalid request body',
      );
  }
}
