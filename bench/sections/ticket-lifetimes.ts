import { QingtuiSandbox } from 'qingtui-sandbox';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import type { ServerProcess } from '../support/server-process.js';
import { round } from '../support/stats.js';

const TTL_S = 6;
const LIFETIMES = 3;
const WORKERS_PER_INSTANCE = 3;
const PAGE = 'https://h5.example.com/bench?x=1';

export const TICKET_SETUP =
  `N server processes (\`dist/src/main.js\`) sharing Redis, one Qingtui app whose JS-SDK ticket lives ${TTL_S} s ` +
  `(the sandbox answers the same ticket, with \`expires_in\` reset, to every fetch inside its life, as the platforms do), ` +
  `${WORKERS_PER_INSTANCE} clients per process signing a page in a loop for ${LIFETIMES} ticket lifetimes`;

export interface TicketRow {
  instances: number;
  lifetimes: number;
  ticketCalls: number;
  tickets: number;
  callsPerLifetime: number;
  signatures: number;
  /** Signatures the JS-SDK would refuse the moment the page has them (a dead ticket). */
  deadSignatures: number;
  failed: number;
}

interface Signed {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

async function ticketOf(server: ServerProcess): Promise<string | undefined> {
  const res = await fetch(`${server.url}/apps/default/tickets/jsapi`, { headers: authHeaders });
  return res.ok ? ((await res.json()) as { ticket: string }).ticket : undefined;
}

async function signOn(server: ServerProcess): Promise<Signed | undefined> {
  const res = await fetch(`${server.url}/apps/default/jsapi-signature`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ url: PAGE }),
  });
  return res.ok ? ((await res.json()) as Signed) : undefined;
}

/**
 * (j) JS-SDK ticket calls per ticket lifetime with N = 1, 3, 5 processes, and signatures made
 * with a dead ticket (each checked by the sandbox as the JS-SDK would, the moment it was made).
 */
export async function ticketLifetimes(redisUrl: string): Promise<TicketRow[]> {
  const rows: TicketRow[] = [];
  for (const instances of [1, 3, 5]) {
    const sandbox = new QingtuiSandbox({
      apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, edition: 'enterprise' }],
      ticketTtlSeconds: TTL_S,
    });
    const url = await sandbox.start();
    const fleet = await startFleet(instances, url, { redisUrl });
    try {
      const first = await ticketOf(fleet[0]);
      if (first === undefined) throw new Error('no ticket at start');
      const before = sandbox.counters().apps[BENCH_APP_ID].ticketsByKind.jsapi;
      let signatures = 0;
      let dead = 0;
      let failed = 0;
      const until = Date.now() + TTL_S * LIFETIMES * 1000;
      await Promise.all(
        fleet.flatMap((server) =>
          Array.from({ length: WORKERS_PER_INSTANCE }, async () => {
            while (Date.now() < until) {
              const earlier = await ticketOf(server);
              const signed = await signOn(server);
              if (!signed || !earlier) {
                failed += 1;
                continue;
              }
              signatures += 1;
              // Checked the moment the page has it (it calls wx.config next): with the ticket
              // served just before, or, if the ticket rotated in between, the one served now.
              const check = (ticket: string) =>
                sandbox.verifyJsapiSignature({ ticket, url: PAGE, ...signed });
              let valid = check(earlier).valid;
              if (!valid) {
                const later = await ticketOf(server);
                valid = later !== undefined && check(later).valid;
              }
              if (!valid) dead += 1;
            }
          }),
        ),
      );
      const after = sandbox.counters().apps[BENCH_APP_ID].ticketsByKind.jsapi;
      const ticketCalls = after.calls - before.calls;
      rows.push({
        instances,
        lifetimes: LIFETIMES,
        ticketCalls,
        tickets: after.grants - before.grants,
        callsPerLifetime: round(ticketCalls / LIFETIMES, 2),
        signatures,
        deadSignatures: dead,
        failed,
      });
    } finally {
      await stopFleet(fleet);
      await sandbox.stop();
    }
  }
  return rows;
}
