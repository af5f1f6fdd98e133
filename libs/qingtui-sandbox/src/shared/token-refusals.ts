import type { PlatformError } from './platform-error.js';

/**
 * Standing refusals of token fetches per app: "the admin has not whitelisted
 * this IP", "the secret is frozen"... While one is set, every token fetch of
 * the app that passes the credential check gets that error. Platform state,
 * set through the control API.
 */
export class TokenRefusals {
  private readonly refusals = new Map<string, PlatformError>();

  /** @param allowed the errors this platform answers token fetches with, by errcode */
  constructor(
    private readonly platformName: string,
    private readonly allowed: ReadonlyMap<number, PlatformError>,
  ) {}

  /**
   * Sets (or, with `undefined`, clears) the refusal of the app's token fetches.
   * @throws RangeError for an errcode the platform does not answer token fetches with
   */
  set(appKey: string, errcode: number | undefined): void {
    if (errcode === undefined) {
      this.refusals.delete(appKey);
      return;
    }
    const error = this.allowed.get(errcode);
    if (error === undefined) {
      throw new RangeError(
        `${this.platformName} token fetches cannot be refused with errcode ${errcode}; use one of ${[...this.allowed.keys()].join(', ')}`,
      );
    }
    this.refusals.set(appKey, error);
  }

  /** The standing refusal of the app, if any. */
  of(appKey: string): PlatformError | undefined {
    return this.refusals.get(appKey);
  }

  reset(): void {
    this.refusals.clear();
  }
}
