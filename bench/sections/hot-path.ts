import { QingtuiModule, TicketService, TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { BENCH_APP_ID, BENCH_SECRET } from '../support/fleet.js';
import { median, round } from '../support/stats.js';

const CALLS = 1_000_000;
const ROUNDS = 5;

@Module({})
class HotPathModule {
  static with(baseUrl: string): DynamicModule {
    return {
      module: HotPathModule,
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRoot({
          apps: [{ name: 'main', appId: BENCH_APP_ID, appSecret: BENCH_SECRET }],
          baseUrl,
        }),
      ],
    };
  }
}

export interface HotPathResult {
  nsPerCall: number;
  /** `await ticketService.getTicket()` with a warm ticket, median of rounds. */
  ticketNsPerCall: number;
  rounds: number[];
  rssBeforeMiB: number;
  rssAfterMiB: number;
  growthPct: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => process.memoryUsage().rss / 1024 / 1024;

/**
 * (c) in-process `await getToken()` per call, and (e, first half) RSS before and after
 * 1M more calls. Run node with --expose-gc so that RSS is read after a collection.
 */
export async function hotPath(): Promise<HotPathResult> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, edition: 'enterprise' }],
  });
  const url = await sandbox.start();
  const app = await NestFactory.createApplicationContext(HotPathModule.with(url), {
    logger: false,
  });
  try {
    const tokens = app.get(TokenService);
    await tokens.getToken();
    for (let i = 0; i < 200_000; i++) await tokens.getToken(); // warm-up
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) await tokens.getToken();
      rounds.push(Number(process.hrtime.bigint() - start) / CALLS);
    }
    const tickets = app.get(TicketService);
    await tickets.getTicket();
    for (let i = 0; i < 200_000; i++) await tickets.getTicket(); // warm-up
    const ticketRounds: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) await tickets.getTicket();
      ticketRounds.push(Number(process.hrtime.bigint() - start) / CALLS);
    }
    gc?.();
    const before = rss();
    for (let i = 0; i < CALLS; i++) await tokens.getToken();
    gc?.();
    const after = rss();
    return {
      nsPerCall: round(median(rounds), 1),
      ticketNsPerCall: round(median(ticketRounds), 1),
      rounds: rounds.map((n) => round(n, 1)),
      rssBeforeMiB: round(before, 1),
      rssAfterMiB: round(after, 1),
      growthPct: round(((after - before) / before) * 100, 2),
    };
  } finally {
    await app.close();
    await sandbox.stop();
  }
}
