import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { formatBytes } from '../http/body-limits.js';
import { RelayRefusal } from './relay-errors.js';

/** Largest request body relayed (a media upload: the platforms take files up to 20 MB or so). */
export const RELAY_BODY_LIMIT = 20 * 1024 * 1024;

/**
 * Largest request body held in memory. A body up to this size is read whole before the call, so
 * that a call the platform refuses for its token can be sent once more; a larger one (a media
 * upload) streams to the platform as it arrives and is sent once, never again.
 */
export const RELAY_BUFFERED_BODY_LIMIT = 1024 * 1024;

/** The body of a relayed call. */
export type RelayBody =
  /** Read whole: may be sent again. */
  | { readonly kind: 'buffered'; readonly bytes: Buffer }
  /**
   * Streaming: `head` (already read) then the rest of the client's request, through a guard that
   * fails the stream with a `RelayRefusal` past the size limit or the deadline. Sent once.
   */
  | {
      readonly kind: 'streamed';
      readonly head: Buffer;
      readonly rest: Transform;
      /** The client's `Content-Length`, when it declared one. */
      readonly length: number | undefined;
    };

/** Limits of one body. */
export interface RelayBodyLimits {
  /** Largest body relayed at all (413 past it). */
  limit: number;
  /** Largest body read whole into memory; a larger one streams. */
  bufferLimit: number;
  /** The whole body must arrive within this many ms of the call (408 otherwise). */
  deadlineMs: number;
}

function tooLarge(limit: number): RelayRefusal {
  return new RelayRefusal('too-large', `the request body is larger than ${formatBytes(limit)}`);
}

function tooSlow(deadlineMs: number): RelayRefusal {
  return new RelayRefusal(
    'body-timeout',
    `the request body did not arrive within ${Math.round(deadlineMs / 100) / 10} s`,
  );
}

/**
 * Counts the bytes of a streamed body and fails the stream past the limit or the deadline, so that
 * the call being sent is cut off (the platform receives an incomplete body and acts on nothing).
 */
class BodyGuard extends Transform {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private size: number,
    private readonly limits: RelayBodyLimits,
    remainingMs: number,
  ) {
    super();
    this.timer = setTimeout(() => this.destroy(tooSlow(limits.deadlineMs)), remainingMs);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limits.limit) return done(tooLarge(this.limits.limit));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    clearTimeout(this.timer);
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    clearTimeout(this.timer);
    done(error);
  }
}

/**
 * Reads the body of a relayed call, before anything is sent to the platform when it is small
 * (up to `bufferLimit`); a larger one is handed over as a stream once `bufferLimit` bytes have
 * come (or at once when `Content-Length` says it is larger), so that a 20 MB upload is never held
 * in memory.
 * - Refused at once, unread, when `Content-Length` says more than `limit`; stopped (413) as soon
 *   as a body without one goes past it.
 * - The whole body must arrive within `deadlineMs` of the call (a body that trickles in, the
 *   slowloris pattern, gets 408 however slowly each byte comes); Node's own `requestTimeout`
 *   (300 s) would let it hold the connection far longer.
 * @throws RelayRefusal `too-large` or `body-timeout` (while buffering); the request is then left
 *   unread (the caller answers with `Connection: close`)
 */
export function readRelayBody(
  request: IncomingMessage,
  limits: RelayBodyLimits,
): Promise<RelayBody> {
  const startedAt = Date.now();
  const declared = Number(request.headers['content-length']);
  const length = Number.isFinite(declared) && declared >= 0 ? declared : undefined;
  if (length !== undefined && length > limits.limit) return Promise.reject(tooLarge(limits.limit));
  if (request.readableEnded) return Promise.resolve({ kind: 'buffered', bytes: Buffer.alloc(0) });
  const streamFrom = (head: Buffer): RelayBody => {
    const remainingMs = Math.max(1, limits.deadlineMs - (Date.now() - startedAt));
    const rest = new BodyGuard(head.length, limits, remainingMs);
    request.on('aborted', () =>
      rest.destroy(new Error('the client closed the connection during the body')),
    );
    request.on('error', (error) => rest.destroy(error));
    request.pipe(rest);
    return { kind: 'streamed', head, rest, length };
  };
  if (length !== undefined && length > limits.bufferLimit) {
    return Promise.resolve(streamFrom(Buffer.alloc(0)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const detach = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const fail = (error: Error) => {
      detach();
      request.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.limit) return fail(tooLarge(limits.limit));
      chunks.push(chunk);
      if (size > limits.bufferLimit) {
        // Past what is held in memory: the rest streams behind what came so far.
        detach();
        request.pause();
        resolve(streamFrom(Buffer.concat(chunks, size)));
      }
    };
    const onEnd = () => {
      detach();
      resolve({ kind: 'buffered', bytes: Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => fail(error);
    const onAborted = () => fail(new Error('the client closed the connection during the body'));
    const timer = setTimeout(() => fail(tooSlow(limits.deadlineMs)), limits.deadlineMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}
