import type { HttpService } from '@nestjs/axios';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { createClient } from '@keyv/redis';
import {
  QINGTUI_HTTP,
  QingtuiModule,
  type QingtuiModuleOptions,
  TicketService,
  TokenService,
} from 'nestjs-qingtui';
import { randomUUID } from 'node:crypto';
import { LogCapture } from './log-capture.js';
import { deleteKeysWithPrefix } from './redis-cleanup.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One in-process instance of the library: its token service and its HTTP instance. */
export interface LibraryInstance {
  module: TestingModule;
  tokens: TokenService;
  tickets: TicketService;
  http: HttpService;
}

/**
 * Several instances of the library in this process, sharing Redis under a prefix of their own
 * (like `test/qingtui/distributed.e2e-spec.ts`), each with the application's ScheduleModule.
 */
export class LibraryFleet {
  readonly logs = new LogCapture();
  readonly prefix = `test-platforms-${randomUUID().slice(0, 8)}`;
  readonly instances: LibraryInstance[] = [];

  /** Starts `count` instances with these options (plus the shared Redis and prefix). */
  async start(count: number, options: QingtuiModuleOptions): Promise<LibraryInstance[]> {
    const started = await Promise.all(
      Array.from({ length: count }, async () => {
        const module = await Test.createTestingModule({
          imports: [
            ScheduleModule.forRoot(),
            QingtuiModule.forRoot({
              redisUrl: REDIS_URL,
              keyPrefix: this.prefix,
              httpTimeoutMs: 2_000,
              ...options,
            }),
          ],
        })
          .setLogger(this.logs)
          .compile();
        await module.init();
        return {
          module,
          tokens: module.get(TokenService),
          tickets: module.get(TicketService),
          http: module.get<HttpService>(QINGTUI_HTTP),
        };
      }),
    );
    this.instances.push(...started);
    return started;
  }

  /** Every key the fleet wrote in Redis. */
  async keys(): Promise<string[]> {
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      return await redis.keys(`${this.prefix}:*`);
    } finally {
      await redis.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.splice(0).map((i) => i.module.close()));
    await deleteKeysWithPrefix(REDIS_URL, [this.prefix]);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it is true; fails after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}
