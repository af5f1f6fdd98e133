import { type DeliveryTarget, DeliveryLog, type MessageType } from './delivery-log.js';
import { checkMessage, checkRecipients } from './message-validation.js';
import { PLATFORM_ERRORS as E, PLATFORM_OK, platformError } from './qingtui-errors.js';
import type { ApiRequest, ApiRoute } from './qingtui-route.js';
import type { QingtuiState } from './qingtui-state.js';

const ALL_TARGETS: readonly DeliveryTarget[] = ['single', 'mass', 'service', 'channel'];
const NO_SERVICE: readonly DeliveryTarget[] = ['single', 'mass', 'channel'];

/** Message send paths by type: `<prefix>/<type>/send/<target>`. */
const SEND_PATHS: ReadonlyArray<{
  prefix: string;
  type: MessageType;
  targets: readonly DeliveryTarget[];
}> = [
  { prefix: '/v1/message', type: 'text', targets: ALL_TARGETS },
  { prefix: '/v1/message', type: 'image', targets: ALL_TARGETS },
  { prefix: '/v1/message', type: 'file', targets: ALL_TARGETS },
  { prefix: '/v1/message', type: 'rich', targets: ALL_TARGETS },
  { prefix: '/v1/message', type: 'card', targets: ALL_TARGETS },
  { prefix: '/v1/message', type: 'textCard', targets: NO_SERVICE },
  { prefix: '/v1/message', type: 'keyValue', targets: NO_SERVICE },
  // The Java SDK sends news to /v2, the C# clients to /v1: the platform serves both.
  { prefix: '/v1/message', type: 'news', targets: ALL_TARGETS },
  { prefix: '/v2/message', type: 'news', targets: ALL_TARGETS },
  { prefix: '/v1/message', type: 'process', targets: ['single', 'mass'] },
];

/** Message sends, `/v1/message/status/get` and `/v1/message/process/complete`. */
export function messageRoutes(state: QingtuiState): Record<string, ApiRoute> {
  const routes: Record<string, ApiRoute> = {
    '/v1/message/status/get': post((request) => messageStatus(state, request)),
    '/v1/message/process/complete': post((request) => completeProcess(state, request)),
  };
  for (const { prefix, type, targets } of SEND_PATHS) {
    for (const target of targets) {
      routes[`${prefix}/${type}/send/${target}`] = post((request) =>
        send(state, type, target, request),
      );
    }
  }
  return routes;
}

function post(handle: ApiRoute['handle']): ApiRoute {
  return { kind: 'api', method: 'POST', body: 'json', handle };
}

function send(
  state: QingtuiState,
  type: MessageType,
  target: DeliveryTarget,
  { app, json }: ApiRequest,
): object {
  const recipients = checkRecipients(target, json, app);
  if (!Array.isArray(recipients)) return recipients;
  const error = checkMessage(type, json.message, { app, media: state.media });
  if (error !== undefined) return error;

  const message = json.message as Record<string, unknown>;
  const deliver = (to: string[]): string => {
    const msgId = DeliveryLog.newMsgId();
    state.recordDelivery({
      msgId,
      appId: app.appId,
      type,
      target,
      recipients: to,
      message,
      at: state.now(),
    });
    return msgId;
  };

  if (type === 'process') {
    // Every recipient gets a to-do of their own, completed separately.
    if (target === 'single') return { ...PLATFORM_OK, data: { msg_id: deliver(recipients) } };
    return {
      ...PLATFORM_OK,
      data: recipients.map((openId) => ({ open_id: openId, msg_id: deliver([openId]) })),
    };
  }
  const msgId = deliver(recipients);
  // Clients disagree on where mass/service ids are: answer in both places.
  return target === 'mass' || target === 'service'
    ? { ...PLATFORM_OK, data: msgId, msg_id: msgId }
    : { ...PLATFORM_OK, data: msgId };
}

function messageStatus(state: QingtuiState, { app, json }: ApiRequest): object {
  const msgId = json.msg_id;
  if (typeof msgId !== 'string' || msgId === '') {
    return platformError(E.invalidParameter, 'msg_id is required');
  }
  if (state.deliveries.find(app.appId, msgId) === undefined) return E.messageNotFound;
  return { ...PLATFORM_OK, msg_id: msgId, msg_status: 'SEND_SUCCESS', rate: 1 };
}

function completeProcess(state: QingtuiState, { app, json }: ApiRequest): object {
  const { msg_id: msgId, open_id: openId } = json;
  if (typeof msgId !== 'string' || msgId === '') {
    return platformError(E.invalidParameter, 'msg_id is required');
  }
  const delivery = state.deliveries.find(app.appId, msgId);
  if (delivery?.type !== 'process') return E.messageNotFound;
  if (typeof openId !== 'string' || !delivery.recipients.includes(openId)) {
    return platformError(E.invalidOpenId, 'open_id is not the receiver of this to-do');
  }
  delivery.completedAt ??= state.now();
  return { ...PLATFORM_OK };
}
