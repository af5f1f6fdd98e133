import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, startHarness } from '../support/central-server.harness.js';

/* Issue 13, point 6: the access log under a client looping without a key, and `app=` decoded. */
describe('access log', () => {
  it('a client looping without a key adds no line per request: the audit sums the refusals up', async () => {
    const h = await startHarness();
    try {
      const server = h.app.getHttpServer();
      const before = h.logs.lines.length;
      for (let i = 0; i < 300; i++) await request(server).get('/apps/default/token').expect(401);
      const lines = h.logs.lines.slice(before);
      const access = lines.filter((l) => l.includes('GET /apps/default/token 401'));
      expect(access).toHaveLength(0);
      // The audit's first line says what happened (and the rest is summed up every interval).
      expect(lines.filter((l) => l.includes('Refused a request (missing key)'))).toHaveLength(1);
      expect(lines.length).toBeLessThanOrEqual(3);
    } finally {
      await h.close();
    }
  });

  it('shows the app of the path decoded, and an authenticated request gets its line', async () => {
    const h = await startHarness();
    try {
      const server = h.app.getHttpServer();
      await request(server)
        .get('/apps/%E5%BA%94%E7%94%A8/token')
        .set({ Authorization: `Bearer ${ADMIN_KEY}` })
        .expect(404);
      await request(server)
        .get('/apps/a%0Aforged%20line/token')
        .set({ Authorization: `Bearer ${ADMIN_KEY}` })
        .expect(404);
      const access = h.logs.lines.filter((l) => l.includes('/token 404'));
      expect(access[0]).toContain('app=应用');
      expect(access[1]).toContain('app=a\ufffdforged line');
    } finally {
      await h.close();
    }
  });
});

describe('unknown variables of our prefixes (issue 13.10)', () => {
  it('are warned about at start, with the closest known name, never with their value', async () => {
    const h = await startHarness({
      env: { QINGTUI_APP_SCRET: 'value-of-a-misspelled-secret-DO-NOT-LOG' },
    });
    try {
      const warning = h.logs.lines.find((l) => l.includes('QINGTUI_APP_SCRET'));
      expect(warning).toMatch(
        /^warn .*QINGTUI_APP_SCRET is set but is not a variable this server reads: did you mean QINGTUI_APP_SECRET\?/,
      );
      expect(h.logs.text()).not.toContain('value-of-a-misspelled-secret-DO-NOT-LOG');
    } finally {
      await h.close();
    }
  });
});
