import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * A constant answer of the same shape and size as a token answer (the sandbox issues
 * 600-character tokens), so that the comparison isolates the token lookup, not the bytes.
 */
const BARE_ANSWER = Object.freeze({
  access_token: 'x'.repeat(600),
  expires_in: 7200,
  expires_at: '2026-01-01T00:00:00.000Z',
});

/**
 * `GET /bench/bare`: a constant answer behind the same adapter, guard, pipes and filter as the
 * token endpoint. Only served with `BENCH_BARE_ENDPOINT=true`: `npm run bench` compares the
 * token endpoint's throughput against it.
 */
@ApiExcludeController()
@Controller('bench')
export class BenchController {
  @Get('bare')
  bare(): typeof BARE_ANSWER {
    return BARE_ANSWER;
  }
}
