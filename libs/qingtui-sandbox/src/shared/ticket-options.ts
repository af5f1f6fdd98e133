import { checkOneOf, checkPositive } from './option-checks.js';
import type { TicketRepeat, TicketRules } from './ticket-kinds.js';

/** Default lifetime of JS-SDK tickets (seconds): 2 hours, as on all three platforms. */
export const DEFAULT_TICKET_TTL_SECONDS = 7200;

/** Default answer of a fetch while the app's ticket lives: that ticket, as the platforms do. */
export const DEFAULT_TICKET_REPEAT: TicketRepeat = 'same';

/** The ticket options as given, sandbox-wide or in a platform's rules. */
export interface TicketOptions {
  ticketTtlSeconds?: number;
  ticketRepeat?: TicketRepeat;
}

/**
 * Applies the defaults of the ticket options and checks them.
 * @param prefix the options' place in the configuration (`''`, `'wechatRules.'`...)
 * @throws RangeError naming the option
 */
export function resolveTicketRules(
  prefix: string,
  given: TicketOptions,
  defaults: TicketRules,
): TicketRules {
  return Object.freeze({
    ticketTtlSeconds: checkPositive(
      `${prefix}ticketTtlSeconds`,
      given.ticketTtlSeconds ?? defaults.ticketTtlSeconds,
    ),
    ticketRepeat: checkOneOf(`${prefix}ticketRepeat`, given.ticketRepeat ?? defaults.ticketRepeat, [
      'same',
      'new',
    ] as const),
  });
}
