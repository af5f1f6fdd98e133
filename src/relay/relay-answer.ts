import type { IncomingMessage } from 'node:http';

/**
 * Bodies read whole before answering, to find the platform's errcode: every platform error is a
 * small JSON object; anything longer (a download, a long list) is streamed on unread.
 */
export const PEEK_LIMIT = 64 * 1024;

/** The platform's answer, read up to `PEEK_LIMIT`. */
export interface PeekedAnswer {
  response: IncomingMessage;
  /** The bytes read so far. */
  head: Buffer;
  /** Whether `head` is the whole body. */
  complete: boolean;
  /** The answer's non-zero `errcode`, when the whole body is a JSON object that has one. */
  errcode?: number;
}

/** The errcode of a JSON object body, if non-zero. */
function errcodeOf(body: Buffer): number | undefined {
  const text = body.toString('utf8').trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as { errcode?: unknown };
    const code = typeof parsed.errcode === 'string' ? Number(parsed.errcode) : parsed.errcode;
    return typeof code === 'number' && Number.isInteger(code) && code !== 0 ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the answer until its end or `PEEK_LIMIT` bytes, whichever comes first; the rest (if any)
 * stays in the stream, paused.
 */
export function peekAnswer(response: IncomingMessage): Promise<PeekedAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (complete: boolean) => {
      response.off('data', onData);
      response.off('end', onEnd);
      response.off('error', onError);
      response.off('close', onClose);
      const head = Buffer.concat(chunks, size);
      resolve({ response, head, complete, errcode: complete ? errcodeOf(head) : undefined });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= PEEK_LIMIT) {
        response.pause();
        done(false);
      }
    };
    const onEnd = () => done(true);
    const onError = (error: Error) => {
      response.off('data', onData);
      reject(error);
    };
    const onClose = () => {
      if (!response.complete) onError(new Error('the platform closed the connection mid-answer'));
    };
    response.on('data', onData);
    response.on('end', onEnd);
    response.on('error', onError);
    response.on('close', onClose);
  });
}
