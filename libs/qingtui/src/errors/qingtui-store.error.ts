import { QingtuiError } from './qingtui.error.js';

/**
 * The shared store (Redis) cannot answer an operation that must not fall back to this process
 * alone (an idempotency record, a shared rate window). The work is refused, never done twice;
 * retry once the store is back.
 */
export class QingtuiStoreError extends QingtuiError {
  /** Stable code, for mapping to an answer (the server: 503 with `Retry-After`). */
  readonly code = 'STORE_UNAVAILABLE' as const;

  constructor(operation: string, reason: string) {
    super(`The shared store cannot ${operation} now (${reason}); nothing was done`);
  }
}
