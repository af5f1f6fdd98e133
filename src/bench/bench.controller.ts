import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * `GET /bench/bare`: a constant answer behind the same adapter, guard, pipes and filter as the
 * token endpoint. Only served with `BENCH_BARE_ENDPOINT=true`: `npm run bench` compares the
 * token endpoint's throughput against it.
 */
@ApiExcludeController()
@Controller('bench')
export class BenchController {
  @Get('bare')
  bare(): { ok: true } {
    return { ok: true };
  }
}
