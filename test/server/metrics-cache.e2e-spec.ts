import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, startHarness } from '../support/central-server.harness.js';

/*
 * Issue 13, point 6: /metrics renders at most once a second whatever the scrapers, so that a
 * crowd of anonymous scrapers cannot starve token reads.
 */
describe('GET /metrics rendering', () => {
  it('is rendered once a second: 50 concurrent scrapes get one text, the next second another', async () => {
    const h = await startHarness();
    try {
      const server = h.app.getHttpServer();
      const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
      await request(server).get('/apps/default/token').set(auth).expect(200);
      const first = await request(server).get('/metrics').expect(200);
      // Token reads and scrapes in between change the counters: a rendering would show them.
      for (let i = 0; i < 5; i++)
        await request(server).get('/apps/default/token').set(auth).expect(200);
      const burst = await Promise.all(
        Array.from({ length: 50 }, () => request(server).get('/metrics')),
      );
      const texts = new Set([first.text, ...burst.map((r) => r.text)]);
      const cachedToo = Date.now();
      expect(texts.size).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, Math.max(0, 1_100 - (Date.now() - cachedToo))));
      const later = await request(server).get('/metrics').expect(200);
      expect(texts.has(later.text)).toBe(false);
      expect(later.text).toContain('qingtui_');
    } finally {
      await h.close();
    }
  });
});
