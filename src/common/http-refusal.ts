import { HttpException } from '@nestjs/common';

/** An HttpException that also sets response headers (`Retry-After`...). */
export class HttpRefusal extends HttpException {
  constructor(
    status: number,
    body: Record<string, unknown>,
    readonly headers: Record<string, string>,
  ) {
    super(body, status);
  }
}
