import type { SandboxPlatform } from '../sandbox.options.js';
import { OpaqueTokenCodec } from './opaque-token-codec.js';
import { TICKET_KINDS, type TicketKind, type TicketRules } from './ticket-kinds.js';

export {
  TICKET_KINDS,
  type TicketKind,
  type TicketRepeat,
  type TicketRules,
} from './ticket-kinds.js';

/** What the sandbox knows of a ticket. */
export type TicketStatus =
  /** Not a ticket the sandbox issued (or issued before a reset). */
  | { readonly state: 'unknown' }
  | {
      readonly state: 'valid' | 'expired';
      readonly kind: TicketKind;
      readonly appKey: string;
      readonly platform: SandboxPlatform;
      /** When it expires (or expired), epoch ms. */
      readonly expiresAtMs: number;
    };

/** One fetch's ticket; `issued` says whether the fetch created it. */
export interface TicketFetch {
  readonly ticket: string;
  /** Always the whole lifetime, even for a ticket issued earlier (as the platforms answer). */
  readonly expiresIn: number;
  readonly issued: boolean;
}

/**
 * The JS-SDK tickets of one platform, per app and kind. A fetch answers the
 * app's current ticket while it lives, with `expires_in` reset to the whole
 * lifetime although the ticket still expires when it was going to (so a
 * client that trusts `expires_in` keeps an expired ticket); otherwise, or
 * with `ticketRepeat: 'new'`, it issues a new one. A ticket is bound to
 * nothing once issued: token renewals and revocations leave it alone, and an
 * older ticket keeps working until its own expiry. Tickets are opaque signed
 * strings (app key, kind, expiry; never a secret), so expired ones are still
 * recognised without keeping records.
 */
export class TicketBook {
  private readonly codec = new OpaqueTokenCodec();
  /** `"<kind>\n<appKey>"` → the current ticket and its expiry. */
  private readonly current = new Map<string, { ticket: string; expiresAtMs: number }>();

  constructor(
    private readonly platform: SandboxPlatform,
    private readonly rules: TicketRules,
    private readonly now: () => number,
  ) {}

  /** The app's ticket of this kind: the current one while it lives (in `'same'` mode), else a new one. */
  fetch(appKey: string, kind: TicketKind): TicketFetch {
    const key = `${kind}\n${appKey}`;
    const now = this.now();
    const ttl = this.rules.ticketTtlSeconds;
    const held = this.current.get(key);
    if (this.rules.ticketRepeat === 'same' && held !== undefined && now < held.expiresAtMs) {
      return { ticket: held.ticket, expiresIn: ttl, issued: false };
    }
    const expiresAtMs = now + ttl * 1000;
    const ticket = this.codec.encode({ app: JSON.stringify([kind, appKey]), exp: expiresAtMs });
    this.current.set(key, { ticket, expiresAtMs });
    return { ticket, expiresIn: ttl, issued: true };
  }

  /** Judges a ticket: valid now, expired, or not one of this platform's. */
  status(ticket: string): TicketStatus {
    const claims = this.codec.decode(ticket);
    const owner = claims === undefined ? undefined : ownerOf(claims.app);
    if (claims === undefined || owner === undefined) return { state: 'unknown' };
    return {
      state: this.now() < claims.exp ? 'valid' : 'expired',
      kind: owner.kind,
      appKey: owner.appKey,
      platform: this.platform,
      expiresAtMs: claims.exp,
    };
  }

  /** Forgets every ticket; tickets issued so far are no longer recognised at all. */
  reset(): void {
    this.current.clear();
    this.codec.rotateKey();
  }
}

function ownerOf(app: string): { kind: TicketKind; appKey: string } | undefined {
  try {
    const [kind, appKey] = JSON.parse(app) as unknown[];
    return TICKET_KINDS.includes(kind as TicketKind) && typeof appKey === 'string'
      ? { kind: kind as TicketKind, appKey }
      : undefined;
  } catch {
    return undefined;
  }
}
