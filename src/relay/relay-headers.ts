import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Headers never forwarded either way: hop-by-hop (RFC 9110 §7.6.1), the ones that belong to
 * this server's connection or to its client (credentials, cookies, the host, proxy headers),
 * and the request's body framing (`content-length` is set again for the body actually sent).
 */
const NEVER: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'authorization',
  'cookie',
  'set-cookie',
  'host',
  'expect',
  'forwarded',
  'via',
]);

/** Request headers that speak of the client's own addresses or hosts. */
const CLIENT_SIDE = /^x-forwarded-|^x-real-ip$/;

/** Header names the `Connection` header lists, which are hop-by-hop too. */
function connectionListed(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    list
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
}

function filtered(
  headers: IncomingHttpHeaders,
  drop: (name: string) => boolean,
): OutgoingHttpHeaders {
  const listed = connectionListed(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || NEVER.has(lower) || listed.has(lower) || drop(lower)) continue;
    out[lower] = value;
  }
  return out;
}

/** The client's headers that go to the platform. */
export function relayRequestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return filtered(headers, (name) => CLIENT_SIDE.test(name) || name === 'content-length');
}

/** The platform's answer headers that go back to the client (its `content-length` kept: the bytes are passed as they are). */
export function relayResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return filtered(headers, (name) => name === 'strict-transport-security');
}
