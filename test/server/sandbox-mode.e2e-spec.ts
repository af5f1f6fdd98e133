import type { NestExpressApplication } from '@nestjs/platform-express';
import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/app.factory.js';
import { EmbeddedSandbox } from '../../src/sandbox/embedded-sandbox.js';
import { OutputCapture } from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';

describe('sandbox mode (no app configured)', () => {
  let app: NestExpressApplication | undefined;
  let output: OutputCapture | undefined;

  afterEach(async () => {
    await app?.close();
    output?.uninstall();
    app = undefined;
  });

  async function boot(
    env: Record<string, string> = {},
  ): Promise<{ app: NestExpressApplication; logs: LogCapture }> {
    const logs = new LogCapture();
    output = new OutputCapture().install();
    app = await startServer({ PORT: '0', ...env }, { logger: logs });
    return { app, logs };
  }

  it('prints the banner, with a development key and curl commands that work as pasted', async () => {
    const { app, logs } = await boot();
    const printed = logs.text();
    expect(printed).toContain('SANDBOX MODE');
    expect(printed).toContain('nothing leaves this machine');

    const tokenCurl =
      /curl -s -H 'Authorization: Bearer (\S+)' (http:\/\/localhost:\d+\/apps\/default\/token)/.exec(
        printed,
      );
    expect(tokenCurl).not.toBeNull();
    const [, key, url] = tokenCurl!;
    expect(key.length).toBeGreaterThanOrEqual(16);
    expect(printed).toContain('-d \'{"type":"text","to_user":"openid-alice"');
    expect(printed).toContain('/apps/default/messages');

    // The URL from the banner, over the network, as a developer would paste it.
    const res = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    const sandbox = app.get(EmbeddedSandbox).sandbox!;
    expect(sandbox.isTokenValid(body.access_token)).toBe(true);
    expect(body.expires_in).toBeGreaterThan(5700); // to the planned renewal, at 80% of 7200 s

    const sendCurl = /-d '(.+)' (http:\/\/localhost:\d+\/apps\/default\/messages)/.exec(printed);
    expect(sendCurl).not.toBeNull();
    const sent = await fetch(sendCurl![2], {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: sendCurl![1],
    });
    expect(sent.status).toBe(200);
    expect(sandbox.deliveries()).toMatchObject([{ recipients: ['openid-alice'], type: 'text' }]);

    // The ticket and signature commands work as pasted too; the signature is what the JS-SDK
    // accepts.
    const ticketCurl =
      /curl -s -H 'Authorization: Bearer \S+' (http:\/\/localhost:\d+\/apps\/wechat\/tickets\/jsapi)/.exec(
        printed,
      );
    expect(ticketCurl).not.toBeNull();
    const ticketRes = await fetch(ticketCurl![1], { headers: { Authorization: `Bearer ${key}` } });
    expect(ticketRes.status).toBe(200);
    const ticket = (await ticketRes.json()) as { ticket: string; expires_in: number };
    expect(ticket.expires_in).toBeGreaterThan(7000);
    const signCurl =
      /-d '(\{"url".+\})' (http:\/\/localhost:\d+\/apps\/wechat\/jsapi-signature)/.exec(printed);
    expect(signCurl).not.toBeNull();
    const signRes = await fetch(signCurl![2], {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: signCurl![1],
    });
    expect(signRes.status).toBe(200);
    const signed = (await signRes.json()) as {
      nonceStr: string;
      timestamp: number;
      signature: string;
    };
    expect(
      sandbox.verifyJsapiSignature({
        ticket: ticket.ticket,
        nonceStr: signed.nonceStr,
        timestamp: signed.timestamp,
        url: (JSON.parse(signCurl![1]) as { url: string }).url,
        signature: signed.signature,
      }).valid,
    ).toBe(true);

    // The key is printed in one log entry, the banner; the demo AppSecret never.
    expect(logs.lines.filter((line) => line.includes(key))).toHaveLength(1);
    expect(`${printed}${output!.text()}`).not.toContain(SANDBOX_DEMO_APP.appSecret);
  });

  it('refuses requests without the development key', async () => {
    const { app } = await boot();
    expect((await request(app.getHttpServer()).get('/apps/default/token')).status).toBe(401);
    expect((await request(app.getHttpServer()).get('/health')).status).toBe(200);
  });

  it('with QINGTUI_SANDBOX=true, uses API_KEYS: no key is generated and none is printed', async () => {
    const key = 'my-own-sandbox-key-0123456789';
    const { app, logs } = await boot({
      QINGTUI_SANDBOX: 'true',
      API_KEYS: key,
      QINGTUI_BASE_URL: 'https://open.qingtui.com',
    });
    const printed = `${logs.text()}${output!.text()}`;
    expect(printed).toContain('SANDBOX MODE');
    expect(printed).toContain('<a key from API_KEYS>');
    expect(printed).not.toContain(key);
    expect(printed).not.toContain('Development client key');
    expect(printed).toContain('QINGTUI_BASE_URL is ignored in sandbox mode');
    const res = await request(app.getHttpServer())
      .get('/apps/default/token')
      .set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
  });

  it('stops the embedded sandbox when the app closes', async () => {
    const { app: started } = await boot();
    const url = started.get(EmbeddedSandbox).url!;
    await started.close();
    app = undefined;
    await expect(fetch(`${url}/v1/token`)).rejects.toThrow();
  });
});
