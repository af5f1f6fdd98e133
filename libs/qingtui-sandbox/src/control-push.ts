/**
 * The control API of WeChat and WeCom message push: deliveries and drops,
 * the WeCom member directory, WeChat consents and last interactions.
 */
import type { IncomingMessage } from 'node:http';
import { BadControlRequest, done, json, readJson, stringField } from './control-io.js';
import { directoryFromJson } from './platforms/wecom/wecom-directory.js';
import type { PushControl } from './push-control.js';
import type { Reply } from './shared/http-io.js';
import type { PushApi, PushDropReason, PushQuery } from './shared/push-log.js';

/** What the push control endpoints use of `sandbox.push`. */
export type PushControlApi = Pick<
  PushControl,
  | 'deliveries'
  | 'drops'
  | 'isPushApp'
  | 'setWecomDirectory'
  | 'grantSubscribeConsent'
  | 'subscribeConsents'
  | 'setLastInteraction'
>;

const PLATFORMS: readonly string[] = ['wecom', 'wechat-mp', 'push'];
const APIS: readonly PushApi[] = ['wecom-message', 'template', 'subscribe', 'custom', 'mass'];
const REASONS: readonly PushDropReason[] = [
  'minute-limit',
  'hour-limit',
  'duplicate-check',
  'client-msg-id',
];

/**
 * - `GET /__sandbox/deliveries?app=&platform=&msgId=&recipient=&api=`, when `app` is a WeChat
 *   or WeCom app or `platform` is `wecom`, `wechat-mp` or `push` (both) → `{deliveries: PushDelivery[]}`
 * - `GET /__sandbox/drops?…` (the same filters and `reason=`) → `{drops: PushDrop[]}`
 * - `POST /__sandbox/wecom-directory` `{corpId, members, departments?, tags?, unlicensed?}`;
 *   `members: null` goes back to the open directory
 * - `POST /__sandbox/wechat-consents` `{appId, openid, templateId, count?}` → `{ok, consents}`
 * - `GET /__sandbox/wechat-consents?app=&openid=&templateId=` → `{consents}`
 * - `POST /__sandbox/wechat-interaction` `{appId, openid, at?}`: `at` epoch ms, default now,
 *   `null` forgets it
 * @returns undefined when the route is none of these
 */
export async function handlePushControl(
  push: PushControlApi,
  route: string,
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Reply | undefined> {
  switch (route) {
    case 'GET deliveries': {
      const filter = pushQueryOf(push, query);
      return filter === undefined ? undefined : json({ deliveries: push.deliveries(filter) });
    }
    case 'GET drops': {
      const filter = pushQueryOf(push, query, true);
      // Qingtui drops nothing silently.
      const qingtui = query.get('platform') === 'qingtui' && filter?.appKey === undefined;
      return json({ drops: qingtui ? [] : push.drops(filter) });
    }
    case 'POST wecom-directory': {
      const body = await readJson(req);
      const corpId = stringField(body, 'corpId');
      push.setWecomDirectory(corpId, body.members === null ? undefined : directoryFromJson(body));
      return done();
    }
    case 'POST wechat-consents': {
      const body = await readJson(req);
      const count = body.count ?? 1;
      if (typeof count !== 'number')
        throw new BadControlRequest('count must be a positive integer');
      const consents = push.grantSubscribeConsent(
        stringField(body, 'appId'),
        stringField(body, 'openid'),
        stringField(body, 'templateId'),
        count,
      );
      return json({ ok: true, consents });
    }
    case 'GET wechat-consents': {
      const [appId, openid, templateId] = ['app', 'openid', 'templateId'].map((name) => {
        const value = query.get(name);
        if (!value) throw new BadControlRequest(`${name} is required`);
        return value;
      });
      return json({ consents: push.subscribeConsents(appId, openid, templateId) });
    }
    case 'POST wechat-interaction': {
      const body = await readJson(req);
      const { at } = body;
      if (at !== undefined && at !== null && typeof at !== 'number') {
        throw new BadControlRequest('at must be epoch ms, or null to forget the interaction');
      }
      push.setLastInteraction(stringField(body, 'appId'), stringField(body, 'openid'), at);
      return done();
    }
    default:
      return undefined;
  }
}

/**
 * The push query of a deliveries or drops request. For deliveries, undefined
 * when the request is about Qingtui (no push platform, no push app).
 */
function pushQueryOf(
  push: PushControlApi,
  query: URLSearchParams,
  always = false,
): PushQuery | undefined {
  const app = query.get('app') || undefined;
  const platform = query.get('platform') || undefined;
  if (platform !== undefined && platform !== 'qingtui' && !PLATFORMS.includes(platform)) {
    throw new BadControlRequest(`platform must be one of qingtui, ${PLATFORMS.join(', ')}`);
  }
  const isPush =
    (platform !== undefined && platform !== 'qingtui') ||
    (app !== undefined && push.isPushApp(app));
  if (!isPush && !always) return undefined;
  const api = query.get('api') || undefined;
  if (api !== undefined && !APIS.includes(api as PushApi)) {
    throw new BadControlRequest(`api must be one of ${APIS.join(', ')}`);
  }
  const reason = query.get('reason') || undefined;
  if (reason !== undefined && !REASONS.includes(reason as PushDropReason)) {
    throw new BadControlRequest(`reason must be one of ${REASONS.join(', ')}`);
  }
  return {
    ...(platform === 'wecom' || platform === 'wechat-mp' ? { platform: platform } : {}),
    ...(app === undefined ? {} : { appKey: app }),
    ...optional('msgId', query.get('msgId')),
    ...optional('recipient', query.get('recipient')),
    ...(api === undefined ? {} : { api: api as PushApi }),
    ...(reason === undefined ? {} : { reason: reason as PushDropReason }),
  };
}

function optional(name: 'msgId' | 'recipient', value: string | null): Partial<PushQuery> {
  return value ? { [name]: value } : {};
}
