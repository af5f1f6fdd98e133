/**
 * What WeChat knows of the users of an Official Account that decides whether
 * a message may reach them: subscribe-message consents (one send each) and
 * the time of the user's last interaction (customer-service messages are
 * allowed for 48 h after it). Both are set by tests through the control API.
 */
export class WechatAudience {
  /** `app\nopenid\ntemplate_id` → consents left. */
  private readonly consents = new Map<string, number>();
  /** `app\nopenid` → last interaction, epoch ms. */
  private readonly interactions = new Map<string, number>();

  /** Adds `count` consents of the user to the template; returns how many are left now. */
  grantConsent(appKey: string, openid: string, templateId: string, count: number): number {
    const key = consentKey(appKey, openid, templateId);
    const left = (this.consents.get(key) ?? 0) + count;
    this.consents.set(key, left);
    return left;
  }

  /** Consents of the user to the template not used yet. */
  consentsLeft(appKey: string, openid: string, templateId: string): number {
    return this.consents.get(consentKey(appKey, openid, templateId)) ?? 0;
  }

  /** Uses one consent: false (nothing used) when there is none. */
  takeConsent(appKey: string, openid: string, templateId: string): boolean {
    const key = consentKey(appKey, openid, templateId);
    const left = this.consents.get(key) ?? 0;
    if (left <= 0) return false;
    if (left === 1) this.consents.delete(key);
    else this.consents.set(key, left - 1);
    return true;
  }

  /** Sets (or with `undefined` forgets) the time of the user's last interaction. */
  setLastInteraction(appKey: string, openid: string, atMs: number | undefined): void {
    const key = `${appKey}\n${openid}`;
    if (atMs === undefined) this.interactions.delete(key);
    else this.interactions.set(key, atMs);
  }

  lastInteraction(appKey: string, openid: string): number | undefined {
    return this.interactions.get(`${appKey}\n${openid}`);
  }

  reset(): void {
    this.consents.clear();
    this.interactions.clear();
  }
}

function consentKey(appKey: string, openid: string, templateId: string): string {
  return `${appKey}\n${openid}\n${templateId}`;
}
