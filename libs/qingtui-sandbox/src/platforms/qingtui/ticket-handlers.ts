import { PLATFORM_OK } from './qingtui-errors.js';
import type { ApiRequest, ApiRoute } from './qingtui-route.js';
import type { QingtuiState } from './qingtui-state.js';

/** Path of the JS-SDK ticket endpoint. */
export const QINGTUI_TICKET_PATH = '/js/ticket/get';

/**
 * `GET /js/ticket/get?access_token=` (or `accessToken=`, the Java SDK): the
 * app's current jsapi ticket while it lives, with `expires_in` reset to the
 * whole lifetime, else a new one. Authenticated and charged to the daily
 * quota like every API call.
 */
export function ticketRoutes(state: QingtuiState): Record<string, ApiRoute> {
  return {
    [QINGTUI_TICKET_PATH]: {
      kind: 'api',
      method: 'GET',
      body: 'none',
      ticket: 'jsapi',
      handle: (request) => jsapiTicket(state, request),
    },
  };
}

function jsapiTicket(state: QingtuiState, { app }: ApiRequest): object {
  const { ticket, expiresIn, issued } = state.tickets.fetch(app.appId, 'jsapi');
  if (issued) state.counters.ticket(app.appId, 'jsapi', 'grants');
  return { ...PLATFORM_OK, ticket, expires_in: expiresIn };
}
