/** Kinds of platform call counted against the daily quota. */
export type PlatformCallKind = 'token' | 'refresh' | 'api';

/**
 * What the code that calls a platform tells the day's count: each call as it goes out, and a
 * refund for one the platform did not charge (no answer, a refusal before the count). The
 * quotas layer (`PlatformUsage`) implements it; platform adapters see only this.
 */
export interface PlatformCallCounter {
  record(app: string, kind: PlatformCallKind): void;
  refund(app: string, kind: PlatformCallKind): void;
}
