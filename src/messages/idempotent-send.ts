import { BadRequestException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  fingerprintOf,
  type IdempotencyLedger,
  idempotencyKeyProblem,
  QingtuiApiError,
  type SendFailure,
} from 'nestjs-qingtui';

/** The answer stored under a key and replayed to a retry: what the client was told. */
export interface StoredAnswer<T> {
  body: T;
}

/** The header clients send (IETF httpapi draft; Stripe's name). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer replayed from an earlier request with the same key (Stripe's name). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Whether a failed send may have reached the user. No answer after the request left (the
 * clients' `QingtuiOutcomeUnknownError`, code `OUTCOME_UNKNOWN`): unknown. The platform answered
 * an errcode: it refused before acting, except `-1` ("system busy"), which does not say. Anything
 * else (validation, a token that could not be had, calls held back, a refused connection) left
 * nothing: not sent.
 */
export function classifySendFailure(error: unknown): SendFailure {
  if ((error as { code?: unknown } | undefined)?.code === 'OUTCOME_UNKNOWN') return 'unknown';
  if (error instanceof QingtuiApiError && error.errcode === -1) return 'unknown';
  return 'not-sent';
}

/** The `Idempotency-Key` of a request: absent, or checked (400 naming the header). */
export function idempotencyKeyOf(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Idempotency-Key was sent more than once',
      field: 'Idempotency-Key',
    });
  }
  const problem = idempotencyKeyProblem(raw);
  if (problem !== undefined) {
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: `Idempotency-Key ${problem}`,
      field: 'Idempotency-Key',
    });
  }
  return raw;
}

/** One send of the messages endpoint, under the client's key when it gave one. */
export interface MessageSend<T> {
  app: string;
  key: string | undefined;
  /** The request as the client sent it (its fingerprint guards the key). */
  request: unknown;
  /** Sends; `resend` when re-sending under the platform's own de-duplication. */
  send: (resend: boolean) => Promise<T>;
  /** See `IdempotentSend.resendSafeForMs`. */
  resendSafeForMs?: number;
}

/** Sends through the ledger when a key was given; the answer and whether it was replayed. */
export async function sendOnce<T>(
  ledger: IdempotencyLedger,
  send: MessageSend<T>,
): Promise<{ body: T; replayed: boolean }> {
  if (send.key === undefined) return { body: await send.send(false), replayed: false };
  const result = await ledger.run<StoredAnswer<T>>({
    scope: send.app,
    key: send.key,
    fingerprint: fingerprintOf(send.request),
    send: async (resend) => ({ body: await send.send(resend) }),
    classify: classifySendFailure,
    resendSafeForMs: send.resendSafeForMs,
  });
  return { body: result.value.body, replayed: result.replayed };
}

/**
 * An id for the platform's own de-duplication (WeChat's `client_msg_id`, `clientmsgid`) derived
 * from the client's key: the same app and key, the same id; never the key's text.
 */
export function platformIdOf(app: string, key: string, length: number): string {
  return createHash('sha256').update(`${app}\n${key}`).digest('base64url').slice(0, length);
}
