import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer to write: JSON, or raw text (used by the `garbage` fault). */
export type Reply =
  | { readonly status: number; readonly json: object }
  | { readonly status: number; readonly text: string; readonly contentType: string };

/** HTTP 200 with a JSON body: how the platform answers, errors included. */
export function ok(json: object): Reply {
  return { status: 200, json };
}

/** Writes a reply and ends the response. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  const isJson = 'json' in reply;
  const payload = isJson ? JSON.stringify(reply.json) : reply.text;
  res.writeHead(reply.status, {
    'content-type': isJson ? 'application/json; charset=utf-8' : reply.contentType,
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** The errcode of a JSON reply, for logs and counters; undefined when there is none. */
export function errcodeOf(reply: Reply): number | undefined {
  if (!('json' in reply)) return undefined;
  const code = (reply.json as { errcode?: unknown }).errcode;
  return typeof code === 'number' ? code : undefined;
}

/** Splits a request target into its path and its query. */
export function splitUrl(target: string | undefined): { path: string; query: URLSearchParams } {
  const url = target ?? '/';
  const mark = url.indexOf('?');
  return mark < 0
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, mark), query: new URLSearchParams(url.slice(mark + 1)) };
}

/** A request body, or `tooLarge` when it went over the limit (the rest was drained, not kept). */
export type BodyResult = { readonly body: Buffer } | { readonly tooLarge: true };

/** Reads the whole request body, keeping at most `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > limit ? { tooLarge: true } : { body: Buffer.concat(chunks, size) }),
    );
    req.on('error', reject);
  });
}

/** Parses a JSON body; `undefined` when it is not valid JSON. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Whether a value is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object body, or why there is none. */
export type JsonObjectResult =
  | { readonly json: Record<string, unknown> }
  | { readonly problem: 'empty' | 'tooLarge' | 'notJson' | 'notObject' };

/** Reads a body that should be a JSON object, keeping at most `limit` bytes. */
export async function readJsonObject(
  req: IncomingMessage,
  limit: number,
): Promise<JsonObjectResult> {
  const result = await readBody(req, limit);
  if (!('body' in result)) return { problem: 'tooLarge' };
  if (result.body.length === 0) return { problem: 'empty' };
  const parsed = parseJson(result.body);
  if (parsed === undefined) return { problem: 'notJson' };
  return isJsonObject(parsed) ? { json: parsed } : { problem: 'notObject' };
}
