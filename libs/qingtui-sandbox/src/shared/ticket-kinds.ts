/**
 * The vocabulary of JS-SDK tickets, apart from the book that issues them so
 * that options and counters can name it without importing the sandbox's
 * configuration.
 */

/**
 * The kinds of JS-SDK ticket: `jsapi` (WeChat `type=jsapi`, the WeCom company
 * ticket of `get_jsapi_ticket`, Qingtui `/js/ticket/get`), `wx_card` (WeChat
 * card ticket) and `agent_config` (the WeCom app ticket).
 */
export type TicketKind = 'jsapi' | 'wx_card' | 'agent_config';

/** Every ticket kind, in the order counters list them. */
export const TICKET_KINDS: readonly TicketKind[] = ['jsapi', 'wx_card', 'agent_config'];

/**
 * What a fetch answers while the app's ticket lives: `'same'` the current
 * ticket (what the platforms do), `'new'` a new ticket at every fetch.
 */
export type TicketRepeat = 'same' | 'new';

/** The ticket rules of one platform. */
export interface TicketRules {
  /** Lifetime of a ticket in seconds, and the `expires_in` of every answer. */
  readonly ticketTtlSeconds: number;
  readonly ticketRepeat: TicketRepeat;
}
