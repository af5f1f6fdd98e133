import type { IncomingMessage } from 'node:http';
import type { Delivery } from './platforms/qingtui/delivery-log.js';
import { wecomAppKey } from './platforms/wecom/wecom.options.js';
import type { SandboxCounters } from './shared/counters.js';
import { faultFromJson, type SandboxFault } from './shared/faults.js';
import type { Reply } from './shared/http-io.js';
import {
  type JsapiSignatureCheck,
  type JsapiSignatureClaim,
  jsapiSignatureClaimOf,
} from './shared/jsapi-signature.js';
import type { TicketStatus } from './shared/ticket-book.js';
import { BadControlRequest, done, json, readJson } from './control-io.js';
import { handlePushControl, type PushControlApi } from './control-push.js';

/** Paths under this prefix are the control API, never the platform. */
export const CONTROL_PREFIX = '/__sandbox/';

/** The sandbox operations the control API exposes. */
export interface SandboxControl {
  counters(): SandboxCounters;
  resetCounters(): void;
  deliveries(appId?: string): Delivery[];
  revokeTokens(appId?: string): void;
  killRefreshTokens(appId?: string): void;
  setTokenRefusal(appKey: string, errcode: number | undefined): void;
  addFault(fault: SandboxFault): void;
  clearFaults(): void;
  reset(): void;
  ticketStatus(ticket: string): TicketStatus;
  verifyJsapiSignature(claim: JsapiSignatureClaim): JsapiSignatureCheck;
  /** WeChat and WeCom message push (`sandbox.push`). */
  readonly push: PushControlApi;
}

/**
 * The HTTP control API, for tests and demos that run the sandbox in another
 * process. Answers are JSON; a bad request gets HTTP 400 `{error}`.
 *
 * - `GET /__sandbox/state` → `{counters, deliveries, pushDeliveries, drops}` (their counts)
 * - `GET /__sandbox/deliveries?app=` → `{deliveries: Delivery[]}`; for a WeChat or WeCom
 *   app, or with `platform=wecom|wechat-mp|push`, `{deliveries: PushDelivery[]}` (see control-push.ts)
 * - the push endpoints of control-push.ts: drops, wecom-directory, wechat-consents, wechat-interaction
 * - `POST /__sandbox/revoke` `{appId?}` (or `{corpId, agentId}` for a WeCom app)
 * - `POST /__sandbox/kill-refresh-tokens` `{appId?}`
 * - `POST /__sandbox/token-refusal` `{appId, errcode}` (or `{corpId, agentId, errcode}`);
 *   `errcode: null` clears it
 * - `POST /__sandbox/faults` a SandboxFault; `path` is an exact path, `pathPattern` a RegExp source
 * - `DELETE /__sandbox/faults`
 * - `POST /__sandbox/reset`, `POST /__sandbox/reset-counters`
 * - `GET /__sandbox/ticket?ticket=` → a TicketStatus
 * - `POST /__sandbox/verify-jsapi-signature` `{ticket, nonceStr, timestamp, url, signature}`
 *   → a JsapiSignatureCheck (HTTP 200 whatever the verdict)
 */
export async function handleControl(
  control: SandboxControl,
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
): Promise<Reply> {
  try {
    const route = `${req.method} ${path.slice(CONTROL_PREFIX.length)}`;
    const pushReply = await handlePushControl(control.push, route, req, query);
    if (pushReply !== undefined) return pushReply;
    switch (route) {
      case 'GET state':
        return json({
          counters: control.counters(),
          deliveries: control.deliveries().length,
          pushDeliveries: control.push.deliveries().length,
          drops: control.push.drops().length,
        });
      case 'GET deliveries':
        return json({ deliveries: control.deliveries(query.get('app') || undefined) });
      case 'POST revoke':
        control.revokeTokens(appIdOf(await readJson(req)));
        return done();
      case 'POST kill-refresh-tokens':
        control.killRefreshTokens(appIdOf(await readJson(req)));
        return done();
      case 'POST token-refusal': {
        const body = await readJson(req);
        const appKey = appIdOf(body);
        if (appKey === undefined)
          throw new BadControlRequest('appId (or corpId and agentId) is required');
        control.setTokenRefusal(appKey, errcodeOf(body));
        return done();
      }
      case 'POST faults':
        control.addFault(faultFromJson(await readJson(req)));
        return done();
      case 'DELETE faults':
        control.clearFaults();
        return done();
      case 'POST reset':
        control.reset();
        return done();
      case 'POST reset-counters':
        control.resetCounters();
        return done();
      case 'GET ticket': {
        const ticket = query.get('ticket');
        if (!ticket) throw new BadControlRequest('ticket is required');
        return json(control.ticketStatus(ticket));
      }
      case 'POST verify-jsapi-signature':
        return json(control.verifyJsapiSignature(jsapiSignatureClaimOf(await readJson(req))));
      default:
        return { status: 404, json: { error: `no control endpoint ${req.method} ${path}` } };
    }
  } catch (error) {
    if (
      error instanceof BadControlRequest ||
      error instanceof TypeError ||
      error instanceof RangeError
    ) {
      return { status: 400, json: { error: error.message } };
    }
    throw error;
  }
}

/** The app key a body names: `appId`, or a WeCom app's `corpId` and `agentId`. */
function appIdOf(body: Record<string, unknown>): string | undefined {
  const { appId, corpId, agentId } = body;
  if (corpId !== undefined || agentId !== undefined) {
    if (appId !== undefined) throw new BadControlRequest('give either appId or corpId and agentId');
    if (
      typeof corpId !== 'string' ||
      (typeof agentId !== 'string' && typeof agentId !== 'number')
    ) {
      throw new BadControlRequest('corpId must be a string and agentId a string or a number');
    }
    return wecomAppKey(corpId, agentId);
  }
  if (appId === undefined || appId === null) return undefined;
  if (typeof appId !== 'string') throw new BadControlRequest('appId must be a string');
  return appId;
}

function errcodeOf(body: Record<string, unknown>): number | undefined {
  const { errcode } = body;
  if (errcode === null) return undefined;
  if (typeof errcode !== 'number' || !Number.isInteger(errcode)) {
    throw new BadControlRequest('errcode must be an integer, or null to clear the refusal');
  }
  return errcode;
}
