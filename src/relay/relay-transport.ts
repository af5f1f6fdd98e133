import {
  Agent as HttpAgent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RelayBody } from './relay-body.js';
import { RelayRefusal } from './relay-errors.js';

/**
 * The one HTTP exchange of a relayed call, on plain `node:http` / `node:https` rather than the
 * library's `QINGTUI_HTTP` axios instance: that instance's interceptor parses every answer as
 * JSON, turns errors into exceptions and re-sends after some transport failures, and axios (like
 * `fetch`) decompresses and buffers answers. The relay needs the answer's bytes as they are
 * (binary downloads, `Content-Encoding` kept), streamed, and exactly one send per attempt.
 */

/** A relayed call that got no answer: 502, or 504 for `timeout`. */
export class RelayTransportError extends Error {
  constructor(
    readonly timeout: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** One request to the platform. */
export interface RelayExchange {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  body: RelayBody;
  /** Until the answer's headers, then the longest silence while its body streams. */
  timeoutMs: number;
}

/** Connections to the platforms, kept alive between calls. */
export class RelayTransport {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

  /**
   * Sends the request once and resolves with the answer (its body not yet read). A streamed body
   * is piped as it arrives; the timeout counts from its last byte.
   * @throws RelayTransportError when no answer came: refused connection, reset, timeout
   * @throws RelayRefusal when a streamed body failed its limits (the call is then cut off)
   */
  send(exchange: RelayExchange): Promise<IncomingMessage> {
    const secure = exchange.url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const { body } = exchange;
    const length = body.kind === 'buffered' ? body.bytes.length : body.length;
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let bodyFailure: RelayRefusal | Error | undefined;
      const fail = (error: RelayTransportError | RelayRefusal | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outgoing.destroy();
        // A streamed body stops being read (its deadline timer with it): the call is over.
        if (body.kind === 'streamed' && !body.rest.destroyed) body.rest.destroy();
        reject(error);
      };
      const startTimer = () => {
        timer = setTimeout(
          () =>
            fail(
              new RelayTransportError(
                true,
                `the platform did not answer within ${exchange.timeoutMs} ms`,
              ),
            ),
          exchange.timeoutMs,
        );
      };
      const outgoing = send(exchange.url, {
        method: exchange.method,
        headers: {
          ...exchange.headers,
          ...(length === undefined ? {} : { 'content-length': String(length) }),
        },
        agent: secure ? this.https : this.http,
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        fail(
          bodyFailure ??
            new RelayTransportError(
              false,
              `the platform could not be reached (${error.code ?? error.message})`,
            ),
        ),
      );
      outgoing.on('response', (response) => {
        if (settled) {
          response.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        // While the body streams: a silence as long as the call's timeout ends it.
        response.socket.setTimeout(exchange.timeoutMs, () => response.destroy());
        response.once('close', () => response.socket?.setTimeout(0));
        resolve(response);
      });
      if (body.kind === 'buffered') {
        startTimer();
        outgoing.end(body.bytes);
        return;
      }
      // Streamed: a body that fails its limits cuts the call off (the platform gets an incomplete
      // request and acts on nothing), and the caller answers with the refusal.
      if (body.head.length > 0) outgoing.write(body.head);
      body.rest.once('error', (error) => {
        bodyFailure = error;
        fail(error);
      });
      body.rest.once('end', startTimer);
      body.rest.pipe(outgoing);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
