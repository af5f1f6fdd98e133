/** Thrown when a library handed an errcode answer back to its caller instead of an `ip_list`. */
export class WechatCallError extends Error {
  constructor(readonly errcode: number) {
    super(`the platform answered errcode ${errcode}`);
    this.name = 'WechatCallError';
  }

  /** The error of an answer that is not a `getcallbackip` success (-999: no errcode either). */
  static of(answer: unknown): WechatCallError | undefined {
    const body = answer as { ip_list?: unknown; errcode?: unknown } | undefined;
    if (Array.isArray(body?.ip_list)) return undefined;
    return new WechatCallError(typeof body?.errcode === 'number' ? body.errcode : -999);
  }

  /** Throws unless the answer is a `getcallbackip` success. */
  static expectIpList(answer: unknown): void {
    const error = WechatCallError.of(answer);
    if (error) throw error;
  }
}
