import { QingtuiError } from '../errors/qingtui.error.js';

/** Why a send under an idempotency key was refused. */
export type IdempotencyErrorCode =
  /** The key itself is unusable (empty, too long, not visible ASCII): 400. */
  | 'BAD_KEY'
  /** The key was used with another body within 24 h: 422. */
  | 'KEY_REUSED'
  /** A send with this key is in flight and did not finish in time: 409, retry later. */
  | 'IN_PROGRESS'
  /** An earlier send with this key may or may not have been delivered; it is not sent again. */
  | 'OUTCOME_UNKNOWN'
  /** The stored record is not one this library wrote. */
  | 'CORRUPT';

/** A send refused by the idempotency ledger; nothing was sent. */
export class QingtuiIdempotencyError extends QingtuiError {
  private constructor(
    readonly code: IdempotencyErrorCode,
    message: string,
  ) {
    super(message);
  }

  static badKey(problem: string): QingtuiIdempotencyError {
    return new QingtuiIdempotencyError('BAD_KEY', `The Idempotency-Key ${problem}`);
  }

  static keyReused(): QingtuiIdempotencyError {
    return new QingtuiIdempotencyError(
      'KEY_REUSED',
      'This Idempotency-Key was already used with a different request body within 24 h; nothing was sent',
    );
  }

  static inProgress(): QingtuiIdempotencyError {
    return new QingtuiIdempotencyError(
      'IN_PROGRESS',
      'A request with this Idempotency-Key is still being sent; retry later for its answer',
    );
  }

  static unknown(): QingtuiIdempotencyError {
    return new QingtuiIdempotencyError(
      'OUTCOME_UNKNOWN',
      'An earlier request with this Idempotency-Key reached the platform but its answer was lost: ' +
        'it may or may not have been delivered, and it is not sent again',
    );
  }

  static corrupt(): QingtuiIdempotencyError {
    return new QingtuiIdempotencyError(
      'CORRUPT',
      'The stored record of this Idempotency-Key is unreadable; nothing was sent',
    );
  }
}
