import {
  QingtuiClients,
  QingtuiError,
  QingtuiModule,
  TicketService,
  TokenService,
} from 'nestjs-qingtui';
import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import { Test, type TestingModule } from '@nestjs/testing';
import { ScheduleModule } from '@nestjs/schedule';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_KEY,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * A business server uses the module without any AppSecret: tokens come from a running central
 * control server (the sample app), and rejected tokens are reported to it.
 */
let server: ServerHarness;
let consumer: TestingModule;
const consumerLogs = new LogCapture();

async function startConsumer(apiKey: string, apps = ['default']): Promise<TestingModule> {
  const { port } = server.app.getHttpServer().address() as AddressInfo;
  const moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        centralServer: { url: `http://127.0.0.1:${port}`, apiKey, apps },
        baseUrl: server.sandbox.url,
        httpTimeoutMs: 5_000,
      }),
    ],
  })
    .setLogger(consumerLogs)
    .compile();
  await moduleRef.init();
  return moduleRef;
}

const grants = () => server.sandbox.counters().apps[SANDBOX_DEMO_APP.appId].grants;

beforeEach(async () => {
  server = await startHarness({ listen: true });
});

afterEach(async () => {
  await consumer?.close();
  await server.close();
});

describe('consumer mode against a running central control server', () => {
  it("caches the server's JS-SDK ticket with its real expiry: one server request, one platform call", async () => {
    consumer = await startConsumer(ADMIN_KEY);
    const tickets = consumer.get(TicketService);
    const all = await Promise.all(
      Array.from({ length: 50 }, () => tickets.getTicketInfo('default')),
    );
    expect(new Set(all.map((t) => t.ticket)).size).toBe(1);
    expect(server.sandbox.ticketStatus(all[0].ticket)).toMatchObject({ state: 'valid' });
    expect(all[0].expiresAt - Date.now()).toBeGreaterThan(7_100_000);
    expect(server.sandbox.counters().apps[SANDBOX_DEMO_APP.appId].ticketCalls).toBe(1);
    // Signing needs the platform identity, which only the central server holds.
    await expect(tickets.signJsapi('default', 'https://h5.example.com/')).rejects.toThrow(
      /central server.*jsapi-signature/,
    );
    await expect(tickets.getTicket('default', 'agent_config')).rejects.toBeInstanceOf(QingtuiError);
  });

  it("gets the server's token without holding an AppSecret", async () => {
    consumer = await startConsumer(ADMIN_KEY);
    const fromConsumer = await consumer.get(TokenService).getToken('default');
    const res = await fetch(
      `http://127.0.0.1:${(server.app.getHttpServer().address() as AddressInfo).port}/apps/default/token`,
      {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      },
    );
    expect(((await res.json()) as { access_token: string }).access_token).toBe(fromConsumer);
    expect(grants()).toBe(1);
  });

  it("sends through the platform with the server's token, and heals a revoked token through the server", async () => {
    consumer = await startConsumer(ADMIN_KEY);
    const client = consumer.get(QingtuiClients).get('default');
    await client.sendText({ toUser: 'openid-alice' }, 'first');
    const before = grants();
    server.sandbox.revokeTokens(SANDBOX_DEMO_APP.appId);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.sendText({ toUser: 'openid-bob' }, `after-${i}`)),
    );
    expect(results).toHaveLength(50);
    // One renewal on the server for every report of the stale token.
    expect(grants() - before).toBe(1);
    const contents = server.sandbox
      .deliveries(SANDBOX_DEMO_APP.appId)
      .map((d) => (d.message as { content: string }).content);
    expect(contents).toHaveLength(51);
    expect(new Set(contents).size).toBe(51);
    const serverToken = await server.app.get(TokenService).getToken('default');
    expect(await consumer.get(TokenService).getToken('default')).toBe(serverToken);
  });

  it('reports a key not scoped to the app as a credential error', async () => {
    consumer = await startConsumer(CRM_KEY);
    await expect(consumer.get(TokenService).getToken('default')).rejects.toMatchObject({
      kind: 'credential',
      status: 403,
    });
  });

  it('says that the central server refused the client key, not the AppSecret or an IP allow-list', async () => {
    const wrongKey = 'wrong-client-key-0123456789abcdef';
    const from = consumerLogs.lines.length;
    consumer = await startConsumer(wrongKey);
    await expect(consumer.get(TokenService).getToken('default')).rejects.toMatchObject({
      kind: 'credential',
      status: 401,
      platform: 'central server',
    });
    const text = consumerLogs.lines.slice(from).join('\n');
    expect(text).toContain('The central server refused the client key for "default"');
    expect(text).toContain('centralServer.apiKey');
    expect(text).not.toMatch(/IP allow-list|AppSecret|its secret/);
    expect(`${text}\n${server.printed()}`).not.toContain(wrongKey);
  });

  it('never logs the client key or a secret', async () => {
    consumer = await startConsumer(ADMIN_KEY);
    await consumer.get(TokenService).getToken('default');
    const text = `${consumerLogs.text()}\n${server.printed()}`;
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
