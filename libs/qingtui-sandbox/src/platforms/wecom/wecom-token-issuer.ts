import type { TokenLedger } from '../../shared/token-ledger.js';
import type { ResolvedWecomRules } from './wecom.options.js';

/** Body of a successful `/cgi-bin/gettoken` answer. */
export interface WecomTokenGrant {
  errcode: 0;
  errmsg: 'ok';
  access_token: string;
  expires_in: number;
}

/** The ledger family of WeCom tokens. */
const WECOM_FAMILY = 'wecom';

/**
 * `/cgi-bin/gettoken`'s rule: one token per app. While it is valid, every
 * fetch gets the same answer, the same token with the same `expires_in` as
 * when it was issued (not the time it has left); a new token only once it
 * has expired or the platform has invalidated it early.
 */
export class WecomTokenIssuer {
  /** app key → the answer the app gets while its token is valid. */
  private readonly answers = new Map<string, WecomTokenGrant>();

  constructor(
    private readonly ledger: TokenLedger,
    private readonly rules: ResolvedWecomRules,
  ) {}

  /** The app's answer; `issued` says whether this fetch created the token. */
  fetch(appKey: string): { grant: WecomTokenGrant; issued: boolean } {
    const answer = this.answers.get(appKey);
    if (answer !== undefined && this.ledger.isAlive(this.ledger.record(answer.access_token))) {
      return { grant: { ...answer }, issued: false };
    }
    const ttl = this.rules.tokenTtlSeconds;
    const { token } = this.ledger.issue(appKey, WECOM_FAMILY, ttl * 1000);
    const grant: WecomTokenGrant = {
      errcode: 0,
      errmsg: 'ok',
      access_token: token,
      expires_in: ttl,
    };
    this.answers.set(appKey, grant);
    return { grant: { ...grant }, issued: true };
  }

  /** The app's current token, valid or not. */
  currentToken(appKey: string): string | undefined {
    return this.answers.get(appKey)?.access_token;
  }

  reset(): void {
    this.answers.clear();
  }
}
