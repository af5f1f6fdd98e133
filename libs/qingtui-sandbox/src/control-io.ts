/** Reading and answering control API requests: shared by its route handlers. */
import type { IncomingMessage } from 'node:http';
import { isJsonObject, parseJson, type Reply, readBody } from './shared/http-io.js';

/** Largest control request body (a WeCom directory may list thousands of members). */
const CONTROL_BODY_LIMIT = 4 * 1024 * 1024;

/** A malformed control request: HTTP 400 `{error}`. */
export class BadControlRequest extends Error {}

export function json(body: object): Reply {
  return { status: 200, json: body };
}

export function done(): Reply {
  return json({ ok: true });
}

/** The body as a JSON object (`{}` when empty). @throws BadControlRequest */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const result = await readBody(req, CONTROL_BODY_LIMIT);
  if (!('body' in result)) throw new BadControlRequest('body too large');
  if (result.body.length === 0) return {};
  const parsed = parseJson(result.body);
  if (!isJsonObject(parsed)) throw new BadControlRequest('the body must be a JSON object');
  return parsed;
}

/** A non-empty string field of a body. @throws BadControlRequest naming it */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw new BadControlRequest(`${name} must be a non-empty string`);
  }
  return value;
}
