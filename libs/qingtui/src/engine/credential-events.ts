import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiEventInput } from '../events/qingtui-events.interface.js';
import type { QingtuiEvents } from '../events/qingtui-events.service.js';

/** What the lifecycle tells of one credential kind; each kind says under which event names. */
export interface CredentialEventSink {
  renewed(input: QingtuiEventInput<'qingtui.token.renewed'>): void;
  renewalFailed(input: QingtuiEventInput<'qingtui.token.renewal-failed'>): void;
  credentialsRejected(input: QingtuiEventInput<'qingtui.credentials.rejected'>): void;
  staleReported(input: QingtuiEventInput<'qingtui.token.stale-reported'>): void;
}

/** The access_token's events: `qingtui.token.*` and `qingtui.credentials.rejected`. */
export function tokenEvents(events: QingtuiEvents): CredentialEventSink {
  return {
    renewed: (input) => events.emit(QINGTUI_EVENTS.tokenRenewed, input),
    renewalFailed: (input) => events.emit(QINGTUI_EVENTS.renewalFailed, input),
    credentialsRejected: (input) => events.emit(QINGTUI_EVENTS.credentialsRejected, input),
    staleReported: (input) => events.emit(QINGTUI_EVENTS.staleTokenReported, input),
  };
}

/**
 * A ticket kind's events: `qingtui.ticket.renewed` and `qingtui.ticket.renewal-failed`, with
 * the `kind`. A refusal of the credentials or a stale report is the token's business (the
 * ticket heals the token through `TokenService`, which tells those), so none is told here.
 */
export function ticketEvents(events: QingtuiEvents, kind: string): CredentialEventSink {
  return {
    renewed: (input) => events.emit(QINGTUI_EVENTS.ticketRenewed, { ...input, kind }),
    renewalFailed: (input) => events.emit(QINGTUI_EVENTS.ticketRenewalFailed, { ...input, kind }),
    credentialsRejected: () => undefined,
    staleReported: () => undefined,
  };
}
