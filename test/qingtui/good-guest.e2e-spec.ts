import {
  InjectQingtuiClient,
  QINGTUI_HTTP,
  QingtuiClient,
  QingtuiModule,
  TokenService,
} from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Injectable, Module } from '@nestjs/common';
import { Cron, Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/*
 * The library in an application that has its own scheduler jobs, its own HttpModule and its
 * own module layout: nothing of the application runs twice or changes behaviour.
 */

const APP = { appId: 'guest-app', appSecret: 'guest-secret-DO-NOT-LOG', followers: ['openid-g'] };
const HR = { appId: 'guest-hr', appSecret: 'guest-hr-secret-DO-NOT-LOG', followers: ['openid-h'] };

let sandbox: QingtuiSandbox;
let baseUrl: string;
let moduleRef: TestingModule | undefined;

beforeEach(async () => {
  sandbox = new QingtuiSandbox({ apps: [APP, HR] });
  baseUrl = await sandbox.start();
});

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
  await sandbox.stop();
});

function qingtui(extra: { sweepIntervalMs?: number } = {}) {
  return QingtuiModule.forRoot({
    apps: [{ name: 'main', appId: APP.appId, appSecret: APP.appSecret }],
    baseUrl,
    refresh: { sweepIntervalMs: extra.sweepIntervalMs },
  });
}

/** The application's own scheduled work. */
@Injectable()
class AppJobs {
  cronRuns = 0;
  intervalRuns = 0;

  @Cron('* * * * * *', { name: 'app-cron' })
  everySecond(): void {
    this.cronRuns++;
  }

  @Interval('app-interval', 100)
  everyTenthOfASecond(): void {
    this.intervalRuns++;
  }
}

/** A service of the application: its own HTTP client beside the library's client. */
@Injectable()
class Notifier {
  constructor(
    readonly http: HttpService,
    readonly tokens: TokenService,
    @InjectQingtuiClient() readonly qingtui: QingtuiClient,
  ) {}
}

describe("the library as a guest in an application's modules", () => {
  it("runs the application's own @Cron and @Interval jobs once, and its sweep in the same scheduler", async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot(), qingtui({ sweepIntervalMs: 1_000 })],
      providers: [AppJobs],
    }).compile();
    const sweep = vi.spyOn(moduleRef.get(TokenService), 'sweep');
    await moduleRef.init();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    const jobs = moduleRef.get(AppJobs);
    const elapsed = performance.now() - started;

    // Run by one scheduler, each job fires at most once per period; run twice, it would fire
    // about twice as often as the period allows.
    expect(jobs.cronRuns).toBeGreaterThanOrEqual(1);
    expect(jobs.cronRuns).toBeLessThanOrEqual(Math.floor(elapsed / 1_000) + 1);
    expect(jobs.intervalRuns).toBeGreaterThanOrEqual(1);
    expect(jobs.intervalRuns).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 1);
    // The library's sweep is a job of the same (the application's) scheduler...
    expect(sweep).toHaveBeenCalled();
    expect(sweep.mock.calls.length).toBeLessThanOrEqual(Math.floor(elapsed / 1_000) + 1);
    const registry = moduleRef.get(SchedulerRegistry);
    expect([...registry.getCronJobs().keys()]).toContain('app-cron');
    expect(registry.getCronJobs().size).toBe(2);
    expect(registry.getIntervals()).toEqual(['app-interval']);
    // ...and so is the precise renewal timer of the access_tokens (one for all apps), armed for
    // the token fetched at start-up.
    expect(
      registry.getTimeouts().filter((name) => /^qingtui:[0-9a-f]{8}:renew$/.test(name)),
    ).toHaveLength(1);
    expect(sandbox.counters().apps[APP.appId].tokenGrants).toBe(1);
  });

  it("leaves the application's HttpModule alone: no token, no interceptor on its instance", async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot(), HttpModule, qingtui()],
      providers: [Notifier],
    }).compile();
    await moduleRef.init();
    const notifier = moduleRef.get(Notifier);
    const own = moduleRef.get<HttpService>(QINGTUI_HTTP);
    expect(notifier.http).not.toBe(own);
    expect(notifier.http.axiosRef).not.toBe(own.axiosRef);

    // Even asked for a token, the application's instance adds none and judges no answer.
    const answer = await notifier.http.axiosRef.get(`${baseUrl}/v1/app/followers`, {
      qingtui: { app: 'main' },
    });
    expect(answer.status).toBe(200);
    expect((answer.data as { errcode: number }).errcode).toBe(41001);
    expect(answer.config.params).toBeUndefined();

    // The library's client, on its own instance, does.
    expect((await notifier.qingtui.getFollowers()).followers).toEqual(APP.followers);
  });

  it('works imported in a feature module rather than the root module', async () => {
    @Module({ imports: [HttpModule, qingtui()], providers: [Notifier], exports: [Notifier] })
    class NotificationsModule {}
    @Module({ imports: [ScheduleModule.forRoot(), NotificationsModule] })
    class AppModule {}

    moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
    const notifier = moduleRef.get(Notifier);
    expect(await notifier.tokens.getToken()).toBe(sandbox.currentToken(APP.appId));
    await notifier.qingtui.sendText({ toUser: 'openid-g' }, 'from a feature module');
    expect(sandbox.deliveries(APP.appId)).toHaveLength(1);
    expect(sandbox.counters().apps[APP.appId].tokenGrants).toBe(1);
  });

  it('registered globally in the root, serves declared clients to feature modules that do not import it', async () => {
    @Injectable()
    class HrNotifier {
      constructor(@InjectQingtuiClient('hr') readonly hr: QingtuiClient) {}
    }
    @Module({ providers: [HrNotifier], exports: [HrNotifier] })
    class HrModule {}

    moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRootAsync({
          isGlobal: true,
          clients: ['hr'],
          useFactory: () => ({
            apps: [
              { name: 'main', appId: APP.appId, appSecret: APP.appSecret },
              { name: 'hr', appId: HR.appId, appSecret: HR.appSecret },
            ],
            baseUrl,
          }),
        }),
        HrModule,
      ],
    }).compile();
    await moduleRef.init();
    await moduleRef.get(HrNotifier).hr.sendText({ toUser: 'openid-h' }, 'hello hr');
    expect(sandbox.deliveries(HR.appId)).toHaveLength(1);
    expect(sandbox.deliveries(APP.appId)).toHaveLength(0);
  });
});
