import { HttpException, HttpStatus } from '@nestjs/common';
import {
  QingtuiApiError,
  QingtuiIdempotencyError,
  QingtuiOutcomeUnknownError,
  QingtuiStoreError,
  QingtuiValidationError,
} from 'nestjs-qingtui';
import { formatBytes, MAX_JSON_DEPTH, MAX_JSON_VALUES } from '../http/body-limits.js';
import { HttpRefusal } from './http-refusal.js';
import { retryAfterSeconds } from './retry-after.js';

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
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** HTTP meaning of each idempotency refusal (nothing was sent in any of them). */
const IDEMPOTENCY_STATUS: Record<QingtuiIdempotencyError['code'], number> = {
  BAD_KEY: 400,
  KEY_REUSED: 422,
  IN_PROGRESS: 409,
  // The earlier send's answer was lost (as when the platform did not answer): a gateway timeout.
  OUTCOME_UNKNOWN: 504,
  CORRUPT: 500,
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
  /** The limit in bytes, on `entity.too.large`. */
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BodyParserError>).type === 'string' &&
    typeof (error as Partial<BodyParserError>).status === 'number'
  );
}

/**
 * A compressed body that does not decompress (corrupt gzip, deflate or br): body-parser passes
 * zlib's error on with status 400 but no `type`.
 */
function isDecompressionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    (code.startsWith('Z_') || code.startsWith('ERR_BROTLI') || code.startsWith('ERR__ERROR_FORMAT'))
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
  if (isDecompressionError(cause) || isDecompressionError(error)) {
    return plain(
      HttpStatus.BAD_REQUEST,
      'The request body does not decompress as its Content-Encoding says',
    );
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const headers = error instanceof HttpRefusal ? { headers: error.headers } : {};
    return typeof response === 'string'
      ? { ...plain(status, response), ...headers }
      : { status, body: response as Record<string, unknown>, ...headers };
  }

  if (error instanceof QingtuiValidationError) {
    return plain(HttpStatus.BAD_REQUEST, `${error.field} ${error.problem}`, { field: error.field });
  }

  if (error instanceof QingtuiOutcomeUnknownError) {
    // The request left and no answer came: it may have been delivered. Not a "retry later".
    return {
      ...plain(
        HttpStatus.GATEWAY_TIMEOUT,
        `The ${error.platform} platform did not answer after the request was sent: it may or ` +
          'may not have been delivered, and it was not sent again',
        { code: error.code, errmsg: error.errmsg },
      ),
      log: 'warn',
    };
  }

  if (error instanceof QingtuiApiError) return platformAnswer(error);

  if (error instanceof QingtuiIdempotencyError) {
    const status = IDEMPOTENCY_STATUS[error.code];
    return {
      ...plain(status, error.message, { code: error.code }),
      ...(error.code === 'IN_PROGRESS' ? { headers: { 'Retry-After': '1' } } : {}),
      ...(status >= 500 ? { log: 'warn' as const } : {}),
    };
  }

  if (error instanceof QingtuiStoreError) {
    return {
      ...plain(HttpStatus.SERVICE_UNAVAILABLE, error.message, { code: error.code }),
      headers: { 'Retry-After': '2' },
      log: 'warn',
    };
  }

  return { ...plain(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error'), log: 'error' };
}

/**
 * A platform error: 503 with `Retry-After` when waiting helps (the library holds calls back, a
 * rate limit, an outage, an exhausted quota), 502 when the platform refused the call. The
 * platform's errcode and errmsg are kept in the body.
 */
function platformAnswer(error: QingtuiApiError): ErrorAnswer {
  const detail = { errcode: error.errcode, errmsg: error.errmsg };
  const retryAfter = retryAfterSeconds(error);
  // Held back by the library: it logged the failure once; one line per request would flood.
  const log = error.retryAfterMs === undefined ? 'warn' : 'debug';
  if (error.kind === 'credential') {
    // The platform refused our credentials: a bad gateway, whatever the wait before the next try.
    return {
      ...plain(
        HttpStatus.BAD_GATEWAY,
        `The ${error.platform} platform refused the call (credential)`,
        detail,
      ),
      ...(retryAfter === undefined ? {} : { headers: { 'Retry-After': String(retryAfter) } }),
      log,
    };
  }
  if (retryAfter !== undefined) {
    return {
      ...plain(HttpStatus.SERVICE_UNAVAILABLE, unavailableMessage(error, retryAfter), detail),
      headers: { 'Retry-After': String(retryAfter) },
      log,
    };
  }
  return {
    ...plain(
      HttpStatus.BAD_GATEWAY,
      `The ${error.platform} platform refused the call (${error.kind})`,
      detail,
    ),
    // A refused request (not a follower, bad parameter) is the caller's business, not ours.
    log: error.kind === 'request' ? 'debug' : 'warn',
  };
}

function unavailableMessage(error: QingtuiApiError, seconds: number): string {
  const retry = `retry in ${seconds} s`;
  if (error.retryAfterMs !== undefined) {
    return `Calls to the ${error.platform} platform are held back after failures (${error.kind}); ${retry}`;
  }
  switch (error.kind) {
    case 'quota':
      return `The app's daily ${error.platform} call quota is used up; ${retry}`;
    case 'rate-limit':
      return `The ${error.platform} platform asks to slow down (rate limit); ${retry}`;
    default:
      return `The ${error.platform} platform could not be reached; ${retry}`;
  }
}

function bodyParserAnswer(error: BodyParserError): ErrorAnswer {
  switch (error.type) {
    case 'entity.too.large':
      return plain(
        HttpStatus.PAYLOAD_TOO_LARGE,
        error.limit === undefined
          ? 'The request body is too large for this route'
          : `The request body is larger than ${formatBytes(error.limit)}, the limit of this route`,
      );
    case 'entity.too.deep':
      return plain(
        HttpStatus.BAD_REQUEST,
        `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep`,
      );
    case 'entity.too.many.values':
      return plain(
        HttpStatus.BAD_REQUEST,
        `The request body holds more than ${MAX_JSON_VALUES.toLocaleString('en')} values`,
      );
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
