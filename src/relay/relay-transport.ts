import {
  Agent as HttpAgent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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
  body: Buffer;
  /** Until the answer's headers, then the longest silence while its body streams. */
  timeoutMs: number;
}

/** Connections to the platforms, kept alive between calls. */
export class RelayTransport {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

  /**
   * Sends the request once and resolves with the answer (its body not yet read).
   * @throws RelayTransportError when no answer came: refused connection, reset, timeout
   */
  send(exchange: RelayExchange): Promise<IncomingMessage> {
    const secure = exchange.url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: RelayTransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outgoing.destroy();
        reject(error);
      };
      const outgoing = send(exchange.url, {
        method: exchange.method,
        headers: { ...exchange.headers, 'content-length': String(exchange.body.length) },
        agent: secure ? this.https : this.http,
      });
      const timer = setTimeout(
        () =>
          fail(
            new RelayTransportError(
              true,
              `the platform did not answer within ${exchange.timeoutMs} ms`,
            ),
          ),
        exchange.timeoutMs,
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        fail(
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
      outgoing.end(exchange.body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
