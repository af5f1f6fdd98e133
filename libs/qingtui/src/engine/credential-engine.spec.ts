import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCatalogue } from '../config/app-catalogue.js';
import { resolveQingtuiOptions } from '../config/resolve-options.js';
import type { CredentialKind } from '../core/credential-kind.js';
import type { TokenGrant, TokenRecord } from '../core/credential-record.js';
import type { RenewalReason, TokenSource } from '../core/credential-source.js';
import type { ResolvedApp } from '../core/resolved-options.js';
import type { FailoverWait, TokenBackend, TokenLease } from '../core/store.js';
import { credentialKeys } from '../core/store-keys.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { PlatformUsage } from '../quotas/platform-usage.js';
import { CacheTokenBackend } from '../store/memory-token.backend.js';
import { TokenService } from '../token/token.service.js';
import { CredentialEngine } from './credential-engine.js';
import { tokenEvents } from './credential-events.js';
import { SCHEDULED_FAILOVER_GRACE_MS } from './locked-renewal.js';

/*
 * The engine runs any credential kind a platform declares. Here a second, test-only kind,
 * derived from the access_token as a JS-SDK ticket is (fetched WITH the app's current token,
 * which the platform may reject), goes through the same engine: renewal ahead of expiry,
 * sharing over two engines on one store, and the heal of its parent on a rejection.
 */

const TICKET_LIFETIME_MS = 1_000;

/** A platform with tokens and tickets: a ticket fetch with a token it does not know is 40001. */
class FakePlatform {
  readonly validTokens = new Set<string>();
  tokenCalls = 0;
  ticketCalls = 0;
  /** The token each ticket fetch was made with. */
  readonly ticketFetchedWith: (string | undefined)[] = [];
  private tokens = 0;
  private tickets = 0;

  readonly tokenSource: TokenSource = {
    renew: async (): Promise<TokenGrant> => {
      this.tokenCalls += 1;
      const token = `token-${++this.tokens}`;
      this.validTokens.add(token);
      return grant(token, 60_000);
    },
  };

  readonly ticketSource: TokenSource = {
    renew: async (
      _app: ResolvedApp,
      _current: TokenRecord | undefined,
      _reason: RenewalReason,
      _stale?: string,
      parent?: string,
    ): Promise<TokenGrant> => {
      this.ticketCalls += 1;
      this.ticketFetchedWith.push(parent);
      if (parent === undefined || !this.validTokens.has(parent)) {
        throw QingtuiApiError.platform({
          kind: 'token-invalid',
          errcode: 40001,
          errmsg: 'invalid credential',
          endpoint: '/ticket/get',
          platform: 'Test',
        });
      }
      return grant(`ticket-${++this.tickets}`, TICKET_LIFETIME_MS);
    },
  };
}

function grant(value: string, lifetimeMs: number): TokenGrant {
  const now = Date.now();
  return {
    accessToken: value,
    issuedAt: now,
    receivedAt: now,
    expiresAt: now + lifetimeMs,
    origin: 'credentials',
  };
}

const options = resolveQingtuiOptions({
  apps: [{ name: 'main', appId: 'app-1', appSecret: 'secret-1' }],
  prefetch: false,
  retry: { attempts: 1, baseDelayMs: 5, maxDelayMs: 20 },
  keyPrefix: 'engine-spec',
});
const catalogue = new AppCatalogue(options.apps, options.defaultApp);
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** One instance: its access_token service and an engine of the test kind, on `backend`. */
function instance(platform: FakePlatform, backend: TokenBackend) {
  const usage = new PlatformUsage();
  const tokens = new TokenService(
    options,
    backend,
    platform.tokenSource,
    new SchedulerRegistry(),
    usage,
  );
  const ticketKind: CredentialKind = {
    name: 'test-ticket',
    source: platform.ticketSource,
    callKind: 'api',
    semanticsOf: () => ({ refreshToken: false, clearQuota: false }),
    parent: {
      current: (app) => tokens.getToken(app),
      rejected: (app, value) => tokens.renewRejected(app, value),
    },
    labelOf: () => 'Test',
  };
  const tickets = new CredentialEngine(ticketKind, {
    options,
    catalogue,
    backend,
    usage,
    events: tokenEvents(new QingtuiEvents(() => 'test')),
    scheduler: new SchedulerRegistry(),
    logger: new Logger('engine-spec'),
  });
  stops.push(async () => {
    await tickets.stop();
    await tokens.onModuleDestroy();
  });
  return { tokens, tickets };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CredentialEngine with a second, derived kind', () => {
  it('fetches it with the parent token, stores it under its own key, and renews it ahead of expiry', async () => {
    const platform = new FakePlatform();
    const backend = new CacheTokenBackend();
    const { tickets } = instance(platform, backend);

    expect(await tickets.value('main')).toBe('ticket-1');
    expect(platform.tokenCalls).toBe(1);
    expect(platform.ticketFetchedWith).toEqual(['token-1']);
    const key = credentialKeys(options.keyPrefix, options.apps[0], 'test-ticket').record;
    expect(key).toBe('engine-spec:{qingtui:app-1}:kind:test-ticket');
    expect((await backend.read(key))?.accessToken).toBe('ticket-1');
    // The access_token keeps its own record beside it.
    expect((await backend.read('engine-spec:{qingtui:app-1}:token'))?.accessToken).toBe('token-1');

    // Renewed in the background at 80% of its life: callers never wait for it.
    await sleep(TICKET_LIFETIME_MS);
    expect(platform.ticketCalls).toBe(2);
    expect(await tickets.value('main')).toBe('ticket-2');
    const [status] = tickets.status();
    expect(status).toMatchObject({ name: 'main', state: 'valid', callersWaited: 1 });
    expect(platform.tokenCalls).toBe(1);
  });

  it("creates an app's slot at its first use: a kind never asked for costs nothing, and shows as missing", async () => {
    const platform = new FakePlatform();
    const { tickets } = instance(platform, new CacheTokenBackend());
    const slots = () => (tickets as unknown as { slots: Map<string, unknown> }).slots.size;
    expect(tickets.status()).toMatchObject([
      { name: 'main', state: 'missing', renewing: false, consecutiveFailures: 0, callersWaited: 0 },
    ]);
    expect(tickets.states()).toEqual([{ name: 'main', state: 'missing' }]);
    tickets.credentialsChanged('main');
    tickets.liftQuotaHold('main');
    tickets.sweep();
    expect(slots()).toBe(0);
    expect(() => tickets.credentialsChanged('nope')).toThrow(/nope/);
    expect(platform.ticketCalls).toBe(0);

    expect(await tickets.value('main')).toBe('ticket-1');
    expect(slots()).toBe(1);
    expect(tickets.status()).toMatchObject([{ name: 'main', state: 'valid', callersWaited: 1 }]);
    await expect(tickets.value('nope')).rejects.toThrow(/nope/);
    expect(slots()).toBe(1);
  });

  it('is shared by two engines on one store: one fetch of each credential', async () => {
    const platform = new FakePlatform();
    const backend = new CacheTokenBackend();
    const a = instance(platform, backend);
    const b = instance(platform, backend);

    expect(await a.tickets.value('main')).toBe('ticket-1');
    expect(await b.tickets.value('main')).toBe('ticket-1');
    const many = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).tickets.value('main')),
    );
    expect(new Set(many)).toEqual(new Set(['ticket-1']));
    expect(platform.ticketCalls).toBe(1);
    expect(platform.tokenCalls).toBe(1);
  });

  it('heals its parent once when the platform rejects the token it was fetched with', async () => {
    const platform = new FakePlatform();
    const backend = new CacheTokenBackend();
    const { tokens, tickets } = instance(platform, backend);
    expect(await tickets.value('main')).toBe('ticket-1');

    // The platform no longer accepts token-1 (another server fetched one, say); the ticket is
    // reported rejected (first-hand), so it is renewed, and its fetch finds token-1 refused.
    platform.validTokens.delete('token-1');
    const renewed = await tickets.reportStale('main', 'ticket-1', true, 'spec');

    expect(renewed.accessToken).toBe('ticket-2');
    expect(platform.ticketFetchedWith).toEqual(['token-1', 'token-1', 'token-2']);
    expect(platform.tokenCalls).toBe(2);
    expect(await tokens.getToken('main')).toBe('token-2');
    // A report of a ticket that is no longer current costs nothing.
    expect((await tickets.reportStale('main', 'ticket-1', true, 'spec')).accessToken).toBe(
      'ticket-2',
    );
    expect(platform.ticketCalls).toBe(3);
    expect(platform.tokenCalls).toBe(2);
  });

  it('does not renew the parent for a rejection of a token that was already replaced', async () => {
    const platform = new FakePlatform();
    const backend = new CacheTokenBackend();
    const a = instance(platform, backend);
    expect(await a.tickets.value('main')).toBe('ticket-1');
    // token-1 is replaced (token-2), then reported rejected by a late caller: nothing is spent.
    platform.validTokens.delete('token-1');
    await a.tokens.renewRejected('main', 'token-1');
    expect(platform.tokenCalls).toBe(2);
    expect(await a.tokens.renewRejected('main', 'token-1')).toBe('token-2');
    expect(platform.tokenCalls).toBe(2);
  });

  it('a caller joining a scheduled renewal that waits for an unreachable store hurries it', async () => {
    /** A store in a failover: a lock asked for with a wait waits until the wait ends or is hurried. */
    class FailingOverBackend extends CacheTokenBackend {
      readonly waits: { reason: 'scheduled' | 'other'; hurried: boolean }[] = [];
      private entered?: () => void;
      readonly scheduledWaiting = new Promise<void>((resolve) => (this.entered = resolve));
      override async tryLock(
        _key?: string,
        _leaseMs?: number,
        failover?: FailoverWait,
      ): Promise<TokenLease | undefined> {
        if (failover?.graceMs === SCHEDULED_FAILOVER_GRACE_MS) {
          const wait = { reason: 'scheduled' as const, hurried: false };
          this.waits.push(wait);
          this.entered?.();
          const signal = failover.hurry?.signal;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 10_000);
            signal?.addEventListener('abort', () => {
              wait.hurried = true;
              clearTimeout(timer);
              resolve();
            });
          });
        } else if (failover !== undefined) {
          this.waits.push({ reason: 'other', hurried: false });
        }
        return super.tryLock();
      }
    }
    const platform = new FakePlatform();
    const backend = new FailingOverBackend();
    const { tickets } = instance(platform, backend);
    expect(await tickets.value('main')).toBe('ticket-1');

    // At 80% of its life the ticket's scheduled renewal starts, and waits for the store.
    await backend.scheduledWaiting;
    const reportedAt = Date.now();
    const renewed = await tickets.reportStale('main', 'ticket-1', true, 'spec');
    // The report did not wait the 10 s: it hurried the renewal, whose value answers it.
    expect(Date.now() - reportedAt).toBeLessThan(2_000);
    expect(renewed.accessToken).toBe('ticket-2');
    expect(backend.waits.filter((w) => w.reason === 'scheduled')).toEqual([
      { reason: 'scheduled', hurried: true },
    ]);
    expect(platform.ticketCalls).toBe(2);
  });
});
