import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { json, type Request, type RequestHandler, type Response } from 'express';
import type { Observable } from 'rxjs';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from './body-limits.js';
import { JSON_BODY_LIMIT_KEY } from './json-body.decorator.js';
import { checkJsonShape, type JsonShapeProblem } from './json-shape.js';

/**
 * The error body-parser passes on when `verify` throws it (its `status` and `type` are kept);
 * mapped to 400 by `errorAnswer`.
 */
function shapeError(problem: JsonShapeProblem): Error {
  return Object.assign(new Error(`JSON body refused: ${problem}`), {
    status: 400,
    type: problem === 'too-deep' ? 'entity.too.deep' : 'entity.too.many.values',
  });
}

/** A body in another encoding than UTF-8: 415, as body-parser's own `charset.unsupported`. */
function charsetError(charset: string): Error {
  return Object.assign(new Error(`unsupported charset "${charset.slice(0, 40)}"`), {
    status: 415,
    type: 'charset.unsupported',
  });
}

/**
 * Parses the JSON body of routes marked `@JsonBody(limit)`, with that route's size limit and
 * bounds on depth and number of values checked before parsing (`checkJsonShape`). Interceptors run after guards, so a body is only ever read for a client whose key was
 * accepted; an unauthenticated body is drained by Node without being buffered or parsed.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  private readonly parsers = new Map<number, RequestHandler>();

  constructor(private readonly reflector: Reflector) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const limit = this.reflector.get<number | undefined>(JSON_BODY_LIMIT_KEY, context.getHandler());
    if (limit !== undefined && context.getType() === 'http') {
      const http = context.switchToHttp();
      await this.parse(limit, http.getRequest<Request>(), http.getResponse<Response>());
    }
    return next.handle();
  }

  private parse(limit: number, request: Request, response: Response): Promise<void> {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
      request.headers['content-type'] ?? '',
    )?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      // body-parser would decode UTF-16 and others; the API takes UTF-8 JSON only (RFC 8259 §8.1).
      return Promise.reject(charsetError(charset));
    }
    // Authenticated (guards have run): a client waiting on `Expect: 100-continue` may now send.
    if (/100-continue/i.test(request.headers.expect ?? '') && !response.headersSent) {
      response.writeContinue();
    }
    const parser = this.parserFor(limit);
    return new Promise((resolve, reject) =>
      // body-parser passes http-errors instances (Error subclasses carrying status and type).
      parser(request, response, (error?: unknown) =>
        error instanceof Error ? reject(error) : resolve(),
      ),
    );
  }

  private parserFor(limit: number): RequestHandler {
    let parser = this.parsers.get(limit);
    if (parser === undefined) {
      parser = json({
        limit,
        verify: (_req, _res, bytes) => {
          // A UTF-16 or UTF-32 byte order mark: not UTF-8 JSON, whatever the header said.
          if (
            bytes.length >= 2 &&
            ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
          ) {
            throw charsetError('utf-16');
          }
          const problem = checkJsonShape(bytes, {
            maxDepth: MAX_JSON_DEPTH,
            maxValues: MAX_JSON_VALUES,
          });
          if (problem !== undefined) throw shapeError(problem);
        },
      });
      this.parsers.set(limit, parser);
    }
    return parser;
  }
}
