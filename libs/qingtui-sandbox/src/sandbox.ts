import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CONTROL_PREFIX, handleControl, type SandboxControl } from './control-api.js';
import type { SandboxCounters } from './counters.js';
import type { Delivery } from './delivery-log.js';
import { latencyOf, type SandboxFault } from './faults.js';
import { errcodeOf, ok, type Reply, splitUrl, writeReply } from './http-io.js';
import { type AdmittedCall, PlatformDispatcher } from './platform-dispatcher.js';
import { PLATFORM_ERRORS } from './platform-errors.js';
import { PlatformState } from './platform-state.js';
import {
  type ResolvedSandboxOptions,
  resolveSandboxOptions,
  type SandboxOptions,
} from './sandbox.options.js';

/** Body of the `garbage` fault: what a misbehaving gateway might answer with. */
const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1></body></html>';

/**
 * A local emulator of the Qingtui (轻推) open platform on plain `node:http`.
 *
 * It issues and judges tokens like the platform (`/v1/token` with its 2 s
 * rule, refresh tokens, expiry, daily quotas), accepts and validates message
 * sends, media uploads and directory lookups, and records what it accepted.
 * Tests steer it in process through the methods below, or over HTTP through
 * the `/__sandbox/*` control API, and can inject faults into its answers.
 *
 * @example
 * const sandbox = new QingtuiSandbox({ tokenTtlSeconds: 3 });
 * const url = await sandbox.start();
 * // ... point the client at `url` ...
 * await sandbox.stop();
 */
export class QingtuiSandbox implements SandboxControl {
  private readonly options: ResolvedSandboxOptions;
  private readonly state: PlatformState;
  private readonly dispatcher: PlatformDispatcher;
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** @throws TypeError or RangeError when an option is invalid */
  constructor(options?: SandboxOptions) {
    this.options = resolveSandboxOptions(options);
    this.state = new PlatformState(this.options);
    this.dispatcher = new PlatformDispatcher(this.state);
  }

  /**
   * Starts listening.
   * @param port TCP port; 0 picks a free one
   * @param host interface to bind
   * @returns the base URL, e.g. `http://127.0.0.1:41234`
   */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server !== undefined) throw new Error('the sandbox is already started');
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port: bound } = server.address() as AddressInfo;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    return this.baseUrl;
  }

  /** The base URL of the running sandbox. @throws Error when it is not started */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('the sandbox is not started');
    return this.baseUrl;
  }

  /** Stops listening and destroys every open socket, hung ones included. Platform state is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.baseUrl = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** The platform invalidates every access_token of the app (of all apps when omitted): they get 40014. */
  revokeTokens(appId?: string): void {
    this.state.tokens.revokeAccessTokens(this.checkAppId(appId));
  }

  /** The current refresh_token of the app (of all apps when omitted) dies: it gets 40402. */
  killRefreshTokens(appId?: string): void {
    this.state.tokens.killRefreshTokens(this.checkAppId(appId));
  }

  /** Injects a fault. @throws TypeError or RangeError when it is malformed */
  addFault(fault: SandboxFault): void {
    this.state.faults.add(fault);
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.state.faults.clear();
  }

  /** A snapshot of the counters. */
  counters(): SandboxCounters {
    return this.state.counters.snapshot((appId) => this.state.limits.usedToday(appId));
  }

  /** Zeroes the counters. Quota use is platform state and is kept (see {@link reset}). */
  resetCounters(): void {
    this.state.counters.reset();
  }

  /** Every message the platform accepted, in order, of one app or of all. */
  deliveries(appId?: string): Delivery[] {
    return this.state.deliveries.all(appId);
  }

  /** The newest access_token issued to the app (valid or not), for tests. */
  currentToken(appId: string): string | undefined {
    return this.state.tokens.newestAccessToken(appId);
  }

  /** Whether an API call with this access_token would be accepted now. */
  isTokenValid(token: string): boolean {
    return this.state.tokens.inspect(token).state === 'valid';
  }

  /**
   * Back to a fresh platform: forgets tokens (issued ones are no longer
   * recognised), `/v1/token` spacing, quota use, counters, faults, deliveries
   * and media. Configuration and the listening server are kept.
   */
  reset(): void {
    this.state.reset();
  }

  private checkAppId(appId: string | undefined): string | undefined {
    if (appId !== undefined && this.state.app(appId) === undefined) {
      throw new RangeError(`unknown appId "${appId}"`);
    }
    return appId;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { path, query } = splitUrl(req.url);
    try {
      if (path.startsWith(CONTROL_PREFIX)) {
        writeReply(res, await handleControl(this, req, path, query));
        return;
      }
      const call = this.dispatcher.admit(path, query);
      const fault = this.state.faults.take(path);
      const reply =
        fault === undefined
          ? await this.dispatcher.handle(call, req)
          : await this.withFault(fault, call, req);
      if (reply !== undefined && !res.destroyed) writeReply(res, reply);
      this.logRequest(req, path, reply, fault, started);
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        writeReply(res, { status: 500, json: PLATFORM_ERRORS.systemBusy });
      }
      const reason = error instanceof Error ? error.message : String(error);
      this.options.log?.(`${req.method} ${path} failed: ${reason}`);
    }
  }

  /** @returns the reply to send, or undefined when the fault sends nothing */
  private async withFault(
    fault: SandboxFault,
    call: AdmittedCall | undefined,
    req: IncomingMessage,
  ): Promise<Reply | undefined> {
    if (fault.kind === 'latency') {
      if (!fault.afterHandling) await this.sleep(latencyOf(fault));
      const reply = await this.dispatcher.handle(call, req);
      if (fault.afterHandling) await this.sleep(latencyOf(fault));
      return reply;
    }
    if (fault.afterHandling) await this.dispatcher.handle(call, req);
    switch (fault.kind) {
      case 'http500':
        return { status: 500, json: PLATFORM_ERRORS.systemBusy };
      case 'garbage':
        return { status: 200, text: GARBAGE_BODY, contentType: 'text/html; charset=utf-8' };
      case 'errcode':
        return ok({
          errcode: fault.errcode ?? PLATFORM_ERRORS.systemBusy.errcode,
          errmsg: fault.errmsg ?? PLATFORM_ERRORS.systemBusy.errmsg,
        });
      case 'hang':
        // The socket stays open until the client gives up or stop() destroys it.
        return undefined;
      case 'reset':
        req.socket.resetAndDestroy();
        return undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private logRequest(
    req: IncomingMessage,
    path: string,
    reply: Reply | undefined,
    fault: SandboxFault | undefined,
    started: number,
  ): void {
    const log = this.options.log;
    if (log === undefined) return;
    const outcome =
      reply === undefined ? 'no answer' : `${reply.status} errcode=${errcodeOf(reply) ?? '-'}`;
    const faulted =
      fault === undefined ? '' : ` fault=${fault.kind}${fault.afterHandling ? '(after)' : ''}`;
    log(`${req.method} ${path} ${outcome}${faulted} ${(performance.now() - started).toFixed(1)}ms`);
  }
}
