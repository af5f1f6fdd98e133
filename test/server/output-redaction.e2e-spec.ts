import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, CRM_APP, CRM_KEY, startHarness } from '../support/central-server.harness.js';

/*
 * Issue 13, point 3: a platform errmsg that echoes what it was sent (an AppSecret, a client key,
 * METRICS_KEY) is redacted on every output path, as in the logs: API error bodies,
 * /status/data, /health/details.
 */
const METRICS_KEY = 'metrics-key-DO-NOT-SHOW-5a1b2c3d4e';
const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('platform errmsg in answers to clients', () => {
  it('never shows an AppSecret, a client key or METRICS_KEY, in error bodies, /status/data or /health/details', async () => {
    const echo = `invalid credential, secret=${CRM_APP.appSecret} ${SANDBOX_DEMO_APP.appSecret} key ${CRM_KEY} ${ADMIN_KEY} metrics ${METRICS_KEY}`;
    const h = await startHarness({
      env: { METRICS_KEY },
      beforeServer: (sandbox) =>
        sandbox.addFault({ kind: 'errcode', path: '/v1/token', errcode: 40001, errmsg: echo }),
    });
    try {
      const server = h.app.getHttpServer();
      const secrets = [
        CRM_APP.appSecret,
        SANDBOX_DEMO_APP.appSecret,
        CRM_KEY,
        ADMIN_KEY,
        METRICS_KEY,
      ];
      const token = await request(server).get('/apps/crm/token').set(auth);
      expect(token.status).toBeGreaterThanOrEqual(400);
      expect(token.body.errcode).toBe(40001);
      expect(String(token.body.errmsg)).toContain('invalid credential');
      const status = await request(server).get('/status/data').set(auth);
      const details = await request(server).get('/health/details').set(auth);
      expect(JSON.stringify(status.body)).toContain('invalid credential');
      expect(JSON.stringify(details.body)).toContain('invalid credential');
      for (const body of [token.text, status.text, details.text]) {
        for (const secret of secrets) expect(body).not.toContain(secret);
      }
    } finally {
      await h.close();
    }
  });
});
