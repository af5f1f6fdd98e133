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
 * fetch gets the same token ("有效期内重复获取返回相同结果", seed 002), with the
 * `expires_in` it was issued with (`repeatedExpiresIn: 'as-issued'`, the
 * default) or the whole seconds it has left (`'time-left'`); a new token only
 * once it has expired or the platform has invalidated it early.
 */
export class WecomTokenIssuer {
  /** app key → the answer the app gets while its token is valid. */
  private readonly answers = new Map<string, WecomTokenGrant>();

  constructor(
    private readonly ledger: TokenLedger,
    private readonly rules: ResolvedWecomRules,
    private readonly now: () => number,
  ) {}

  /** The app's answer; `issued` says whether this fetch created the token. */
  fetch(appKey: string): { grant: WecomTokenGrant; issued: boolean } {
    const answer = this.answers.get(appKey);
    const record = answer === undefined ? undefined : this.ledger.record(answer.access_token);
    if (answer !== undefined && this.ledger.isAlive(record)) {
      if (this.rules.repeatedExpiresIn === 'as-issued')
        return { grant: { ...answer }, issued: false };
      // Whole seconds, rounded down like the platform; under a second, the exact fraction.
      const leftMs = record.expiresAtMs - this.now();
      const left = leftMs >= 1000 ? Math.floor(leftMs / 1000) : Math.floor(leftMs) / 1000;
      return { grant: { ...answer, expires_in: left }, issued: false };
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
