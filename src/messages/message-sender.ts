/** A send checked and ready: nothing has left yet. */
export interface PreparedSend<T> {
  /**
   * Sends. `resend`: an earlier send under the same key had an unknown outcome and the platform's
   * own de-duplication (filled from the key) makes this one harmless.
   */
  send: (resend: boolean) => Promise<T>;
  /** How long after the first send a re-send stays harmless; 0 or absent: never re-sent. */
  resendSafeForMs?: number;
}

/**
 * The messages endpoint of one platform: checks the body (a 400 naming the field, nothing sent)
 * and prepares its send with the server's token, using the platform's own protection against
 * repeats when the client gave an `Idempotency-Key`.
 */
export interface PlatformMessageSender<T = unknown> {
  readonly platform: string;
  /** @throws a validation error (400) when the body is not a send of this platform */
  prepare(app: string, body: unknown, idempotencyKey: string | undefined): PreparedSend<T>;
}
