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
