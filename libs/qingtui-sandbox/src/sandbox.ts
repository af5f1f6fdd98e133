import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CONTROL_PREFIX, handleControl, type SandboxControl } from './control-api.js';
import type { Delivery } from './platforms/qingtui/delivery-log.js';
import { QingtuiEmulator } from './platforms/qingtui/qingtui-emulator.js';
import { PLATFORM_ERRORS } from './platforms/qingtui/qingtui-errors.js';
import { WechatMpEmulator } from './platforms/wechat-mp/wechat-mp-emulator.js';
import { WecomEmulator } from './platforms/wecom/wecom-emulator.js';
import { PushControl } from './push-control.js';
import {
  type ResolvedSandboxOptions,
  resolveSandboxOptions,
  type SandboxOptions,
  type SandboxPlatform,
} from './sandbox.options.js';
import { CounterBook, type SandboxCounters } from './shared/counters.js';
import { FaultBook, latencyOf, type SandboxFault } from './shared/faults.js';
import { ok, type Reply, splitUrl, writeReply } from './shared/http-io.js';
import { requestLogLine } from './shared/request-log.js';
import {
  checkJsapiSignature,
  type JsapiSignatureCheck,
  type JsapiSignatureClaim,
  jsapiSignatureClaimOf,
} from './shared/jsapi-signature.js';
import type { AdmittedCall, PlatformEmulator } from './shared/platform-emulator.js';
import type { TicketStatus } from './shared/ticket-book.js';

/** Body of the `garbage` fault: what a misbehaving gateway might answer with. */
const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1></body></html>';

const NOT_FOUND: Reply = { status: 404, json: { errcode: 404, errmsg: 'not found' } };

/**
 * A local emulator of the Qingtui (轻推), WeChat Official Account (公众号) and
 * WeCom (企业微信) open platforms on plain `node:http`, all three on one port:
 * point `QINGTUI_BASE_URL`, `WECHAT_BASE_URL` and `WECOM_BASE_URL` at its URL.
 *
 * - Qingtui: `/v1/token` with its 2 s rule, refresh tokens, expiry, daily
 *   quotas by edition; message sends, media uploads and directory lookups,
 *   with a record of what it accepted.
 * - WeChat: `/cgi-bin/token` (each call kills the previous token after the
 *   overlap), `/cgi-bin/stable_token` (self-rotation, budgeted force refresh),
 *   `/cgi-bin/clear_quota/v2`, and `/cgi-bin/getcallbackip` as business call.
 * - WeCom: `/cgi-bin/gettoken` (one token per app, the same answer while it is
 *   valid) and `/cgi-bin/get_api_domain_ip` as business call.
 * - JS-SDK tickets on all three (see {@link QingtuiSandbox.ticketStatus}).
 *
 * Tests steer it in process through the methods below, or over HTTP through
 * the `/__sandbox/*` control API, read exact counters, and can inject faults
 * into its answers. Apps are named by their app key: the appId on Qingtui and
 * WeChat, `"<corpId>/<agentId>"` on WeCom (see {@link wecomAppKey}).
 *
 * @example
 * const sandbox = new QingtuiSandbox({ tokenTtlSeconds: 3 });
 * const url = await sandbox.start();
 * // ... point the client at `url` ...
 * await sandbox.stop();
 */
export class QingtuiSandbox implements SandboxControl {
  private readonly options: ResolvedSandboxOptions;
  private readonly counterBook: CounterBook;
  private readonly faults = new FaultBook();
  private readonly qingtui: QingtuiEmulator;
  private readonly wechat: WechatMpEmulator;
  private readonly wecom: WecomEmulator;
  private readonly emulators: readonly PlatformEmulator[];
  /**
   * WeChat and WeCom message push: deliveries, silent drops, the WeCom member
   * directory, WeChat subscribe consents and last interactions.
   */
  readonly push: PushControl;
  /** app key → its platform. */
  private readonly appPlatforms: ReadonlyMap<string, SandboxPlatform>;
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** @throws TypeError or RangeError when an option is invalid */
  constructor(options?: SandboxOptions) {
    const resolved = resolveSandboxOptions(options);
    this.options = resolved;
    this.appPlatforms = new Map<string, SandboxPlatform>([
      ...[...resolved.apps.keys()].map((key) => [key, 'qingtui'] as const),
      ...[...resolved.wechatApps.keys()].map((key) => [key, 'wechat-mp'] as const),
      ...[...resolved.wecomApps.keys()].map((key) => [key, 'wecom'] as const),
    ]);
    this.counterBook = new CounterBook(this.appPlatforms);
    this.qingtui = new QingtuiEmulator(resolved, this.counterBook.forPlatform('qingtui'));
    this.wechat = new WechatMpEmulator(
      resolved.wechatApps,
      resolved.wechatRules,
      resolved.now,
      this.counterBook.forPlatform('wechat-mp'),
    );
    this.wecom = new WecomEmulator(
      resolved.wecomApps,
      resolved.wecomRules,
      resolved.now,
      this.counterBook.forPlatform('wecom'),
    );
    this.emulators = [this.qingtui, this.wechat, this.wecom];
    this.push = new PushControl(
      this.wecom,
      this.wechat,
      (appKey) => this.appPlatforms.get(appKey),
      new Set([...resolved.wecomApps.values()].map((app) => app.corpId)),
      resolved.now,
    );
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

  /**
   * The platform invalidates every access token of the app (of every app of
   * every platform when omitted). Qingtui: they get 40014. WeChat: classic
   * and stable tokens get 40001; the next stable_token call issues a new one.
   * WeCom (early invalidation): the token gets 40014 and the next gettoken
   * issues a new one.
   * @param appKey appId (Qingtui, WeChat) or `"<corpId>/<agentId>"` (WeCom)
   * @throws RangeError for an unknown app
   */
  revokeTokens(appKey?: string): void {
    if (appKey === undefined) {
      for (const emulator of this.emulators) emulator.revokeTokens();
      return;
    }
    this.owner(appKey).revokeTokens(appKey);
  }

  /**
   * Qingtui: the current refresh_token of the app (of every Qingtui app when
   * omitted) dies: it gets 40402.
   * @throws RangeError for an unknown app or an app of another platform
   */
  killRefreshTokens(appId?: string): void {
    if (appId !== undefined) this.ownerOn(appId, 'qingtui', 'has no refresh_token');
    this.qingtui.killRefreshTokens(appId);
  }

  /**
   * WeChat and WeCom: from now on every token fetch of the app that passes
   * the credential check is refused with this errcode (WeChat: `/cgi-bin/token`
   * and `/cgi-bin/stable_token`; WeCom: `/cgi-bin/gettoken`), until it is
   * cleared with `undefined`. Models an IP missing from the whitelist (WeChat
   * 40164, WeCom 60020), a risky IP awaiting approval (89503), a frozen
   * (40243) or reset (40125, WeCom 40001) secret, a busy platform (-1)...
   * @param errcode WeChat: -1, 40013, 40125, 40164, 40243, 45009, 45011, 89503;
   *   WeCom: -1, 40001, 40013, 45009, 60020
   * @throws RangeError for an unknown app, a Qingtui app or another errcode
   */
  setTokenRefusal(appKey: string, errcode: number | undefined): void {
    const platform = this.platformOf(appKey);
    if (platform === 'qingtui') {
      throw new RangeError(`"${appKey}" is a Qingtui app: use addFault for Qingtui token errors`);
    }
    (platform === 'wechat-mp' ? this.wechat : this.wecom).setTokenRefusal(appKey, errcode);
  }

  /** Injects a fault. @throws TypeError or RangeError when it is malformed */
  addFault(fault: SandboxFault): void {
    this.faults.add(fault);
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** A snapshot of the counters of every app, every platform and in total. */
  counters(): SandboxCounters {
    return this.counterBook.snapshot((appKey) => this.owner(appKey).quotaUsedToday(appKey));
  }

  /** Zeroes the counters. Quota use is platform state and is kept (see {@link reset}). */
  resetCounters(): void {
    this.counterBook.reset();
  }

  /**
   * Every Qingtui message the platform accepted, in order, of one app or of
   * all. WeChat and WeCom deliveries: {@link push}.
   * @throws RangeError for a WeChat or WeCom app
   */
  deliveries(appId?: string): Delivery[] {
    const platform = appId === undefined ? undefined : this.appPlatforms.get(appId);
    if (platform !== undefined && platform !== 'qingtui') {
      throw new RangeError(
        `"${appId}" is a ${platform} app: read its deliveries with push.deliveries()`,
      );
    }
    return this.qingtui.state.deliveries.all(appId);
  }

  /**
   * The newest access token the app obtained with its credentials (valid or
   * not), for tests: Qingtui `/v1/token` or refresh, WeChat `/cgi-bin/token`,
   * WeCom `/cgi-bin/gettoken`. Undefined for an unknown app.
   */
  currentToken(appKey: string): string | undefined {
    return this.appPlatforms.has(appKey) ? this.owner(appKey).currentToken(appKey) : undefined;
  }

  /**
   * WeChat: the token `/cgi-bin/stable_token` normal mode holds for the app
   * (valid or not), for tests. Undefined for an unknown app.
   * @throws RangeError for an app of another platform
   */
  currentStableToken(appId: string): string | undefined {
    if (!this.appPlatforms.has(appId)) return undefined;
    this.ownerOn(appId, 'wechat-mp', 'has no stable_token');
    return this.wechat.currentStableToken(appId);
  }

  /** Whether a business call with this access token would be accepted now, on its platform. */
  isTokenValid(token: string): boolean {
    return this.emulators.some((emulator) => emulator.isTokenValid(token));
  }

  /**
   * What the sandbox knows of a JS-SDK ticket: `valid` now or `expired`, with
   * its kind, app and platform, or `unknown` (never issued, or before a reset).
   */
  ticketStatus(ticket: string): TicketStatus {
    for (const emulator of this.emulators) {
      const status = emulator.ticketStatus(ticket);
      if (status.state !== 'unknown') return status;
    }
    return { state: 'unknown' };
  }

  /**
   * Checks a JS-SDK signature as the platform's JS-SDK would: the ticket is a
   * jsapi (or WeCom agent_config) ticket the sandbox issued, valid now, and
   * the signature is the lowercase hex SHA-1 of
   * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (url without `#fragment`).
   * @throws TypeError when a field is missing or of the wrong type
   */
  verifyJsapiSignature(claim: JsapiSignatureClaim): JsapiSignatureCheck {
    const checked = jsapiSignatureClaimOf({ ...claim });
    return checkJsapiSignature(checked, this.ticketStatus(checked.ticket));
  }

  /**
   * Back to a fresh platform: forgets tokens (issued ones are no longer
   * recognised), every limit's use (Qingtui `/v1/token` spacing and quotas,
   * WeChat quotas, force budget and clear_quota use, WeCom frequencies),
   * refusals, counters, faults, deliveries and drops, media, tickets, WeCom
   * directories, WeChat consents and interactions. Configuration and the
   * listening server are kept.
   */
  reset(): void {
    for (const emulator of this.emulators) emulator.reset();
    this.counterBook.reset();
    this.faults.clear();
  }

  private platformOf(appKey: string): SandboxPlatform {
    const platform = this.appPlatforms.get(appKey);
    if (platform === undefined) throw new RangeError(`unknown appId "${appKey}"`);
    return platform;
  }

  private owner(appKey: string): PlatformEmulator {
    const platform = this.platformOf(appKey);
    return platform === 'qingtui'
      ? this.qingtui
      : platform === 'wechat-mp'
        ? this.wechat
        : this.wecom;
  }

  private ownerOn(appKey: string, platform: SandboxPlatform, lacking: string): void {
    const actual = this.platformOf(appKey);
    if (actual !== platform) throw new RangeError(`"${appKey}" is a ${actual} app: it ${lacking}`);
  }

  private async admit(
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
  ): Promise<AdmittedCall | undefined> {
    for (const emulator of this.emulators) {
      const call = await emulator.admit(path, query, req);
      if (call !== undefined) return call;
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { path, query } = splitUrl(req.url);
    try {
      if (path.startsWith(CONTROL_PREFIX)) {
        writeReply(res, await handleControl(this, req, path, query));
        return;
      }
      const call = await this.admit(path, query, req);
      const fault = this.faults.take(path);
      const reply =
        fault === undefined ? await handle(call, req) : await this.withFault(fault, call, req);
      if (reply !== undefined && !res.destroyed) writeReply(res, reply);
      if (this.options.log !== undefined) {
        this.options.log(requestLogLine(req.method, path, reply, fault, started));
      }
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
      const reply = await handle(call, req);
      if (fault.afterHandling) await this.sleep(latencyOf(fault));
      return reply;
    }
    if (fault.afterHandling) await handle(call, req);
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
}

/** Lets the platform answer, or 404 for a path no platform serves. */
function handle(call: AdmittedCall | undefined, req: IncomingMessage): Promise<Reply> {
  return call === undefined ? Promise.resolve(NOT_FOUND) : call.handle(req);
}
