import type { TokenLedger } from '../../shared/token-ledger.js';
import type { ResolvedWechatRules } from './wechat-mp.options.js';

/** Body of a successful `/cgi-bin/token` or `/cgi-bin/stable_token` answer. */
export interface WechatTokenGrant {
  access_token: string;
  expires_in: number;
}

/** The ledger family of `/cgi-bin/token` tokens. */
export const CLASSIC_FAMILY = 'classic';

/**
 * `/cgi-bin/token`'s rule: every call issues a new token, and the app's
 * previous one keeps working only `overlapSeconds` more (never past its own
 * expiry); after that, business calls with it get 40001 "not latest".
 */
export class ClassicTokenIssuer {
  /** appId → newest token issued. Older ones already have their deadline. */
  private readonly newest = new Map<string, string>();

  constructor(
    private readonly ledger: TokenLedger,
    private readonly rules: ResolvedWechatRules,
    private readonly now: () => number,
  ) {}

  issue(appId: string): WechatTokenGrant {
    const previous = this.newest.get(appId);
    if (previous !== undefined) {
      this.ledger.kill(previous, this.now() + this.rules.overlapSeconds * 1000);
    }
    const { token } = this.ledger.issue(appId, CLASSIC_FAMILY, this.rules.tokenTtlSeconds * 1000);
    this.newest.set(appId, token);
    return { access_token: token, expires_in: this.rules.tokenTtlSeconds };
  }

  /** The newest token issued to the app, valid or not. */
  newestToken(appId: string): string | undefined {
    return this.newest.get(appId);
  }

  reset(): void {
    this.newest.clear();
  }
}
