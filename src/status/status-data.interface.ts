import type { PlatformUsageSnapshot } from 'nestjs-qingtui';
import type { RelayCounts } from '../relay/relay.metrics.js';

/** One app on the status page. Holds no token and no secret. */
export interface StatusApp {
  name: string;
  appId: string;
  platform: string;
  /** `valid`, `expired` or `missing` (no token yet). */
  state: string;
  renewing: boolean;
  /** When the current token was obtained, and when it expires (ISO 8601). */
  issuedAt?: string;
  expiresAt?: string;
  nextRenewalAt?: string;
  /** How the current token was obtained: `credentials`, `refresh-token`, `central-server`. */
  origin?: string;
  generation?: number;
  consecutiveFailures: number;
  callersWaited: number;
  heldBack?: { reason: string; until: string };
  lastError?: { kind: string; errcode?: number; errmsg: string; at: string };
  platformCallsToday: PlatformUsageSnapshot;
  /** Business calls relayed for it by this instance since it started, by outcome (`/apps/:app/cgi-bin/…`...). */
  relayedCalls: RelayCounts;
  /** Its JS-SDK tickets, by kind (fetched on first use: `missing` until then). */
  tickets: StatusTicket[];
}

/** One JS-SDK ticket of an app. Holds no ticket. */
export interface StatusTicket {
  /** `jsapi`, `wx_card`, `agent_config`. */
  kind: string;
  state: string;
  expiresAt?: string;
  nextRenewalAt?: string;
  heldBack?: { reason: string; until: string };
  lastError?: { kind: string; errcode?: number; errmsg: string; at: string };
}

/** What `GET /status/data` answers, and what the status page shows. */
export interface StatusData {
  /** The server's clock when the answer was made (the page counts down from it). */
  generatedAt: string;
  /** `sandbox` (the embedded emulator) or `platform`. */
  mode: 'sandbox' | 'platform';
  /** The apps of the page asked for (`?offset=&limit=`: the first 100 by default). */
  apps: StatusApp[];
  /** Every app in the key's scope, counted: how many, in which state, and the page listed. */
  summary: {
    apps: number;
    byState: Record<string, number>;
    offset: number;
    limit: number;
  };
  store: { kind: 'memory' | 'redis'; state: 'ok' | 'degraded' };
  instance: {
    id: string;
    hostname: string;
    pid: number;
    startedAt: string;
    uptimeSeconds: number;
    node: string;
  };
}
