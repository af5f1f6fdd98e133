import type { IncomingMessage } from 'node:http';
import { formatBytes } from '../http/body-limits.js';
import { RelayRefusal } from './relay-errors.js';

/** Largest request body relayed (a media upload: the platforms take files up to 20 MB or so). */
export const RELAY_BODY_LIMIT = 20 * 1024 * 1024;

/**
 * Reads a request body into memory (a call refused for its token is sent again, so the body must
 * still be there), before anything is sent to the platform.
 * - Refused at once, unread, when `Content-Length` says more than `limit`; stopped (413) as soon
 *   as a body without one goes past it.
 * - The whole body must arrive within `deadlineMs` of the call (a body that trickles in, the
 *   slowloris pattern, gets 408 however slowly each byte comes); Node's own `requestTimeout`
 *   (300 s) would let it hold the connection far longer.
 * @throws RelayRefusal `too-large` or `body-timeout`; the request is then left unread (the
 *   caller answers with `Connection: close`)
 */
export function readRelayBody(
  request: IncomingMessage,
  limit: number,
  deadlineMs: number,
): Promise<Buffer> {
  const tooLarge = () =>
    new RelayRefusal('too-large', `the request body is larger than ${formatBytes(limit)}`);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  if (request.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
      if (error) {
        request.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    const onAborted = () => finish(new Error('the client closed the connection during the body'));
    const timer = setTimeout(
      () =>
        finish(
          new RelayRefusal(
            'body-timeout',
            `the request body did not arrive within ${Math.round(deadlineMs / 100) / 10} s`,
          ),
        ),
      deadlineMs,
    );
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}
