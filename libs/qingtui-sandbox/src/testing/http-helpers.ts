/**
 * Small fetch helpers for the sandbox's own specs: they talk to it over real
 * HTTP, like a client would.
 */
import { SANDBOX_DEMO_APP } from '../platforms/qingtui/qingtui.options.js';

/** A JSON answer, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

/** Status and parsed JSON body of an answer. */
export interface JsonAnswer {
  status: number;
  body: JsonBody;
}

async function answer(response: Response): Promise<JsonAnswer> {
  return { status: response.status, body: (await response.json()) as JsonBody };
}

/** GET and parse the JSON answer. */
export async function getJson(url: string): Promise<JsonAnswer> {
  return answer(await fetch(url));
}

/** POST a JSON body (a string is sent as is) and parse the JSON answer. */
export async function postJson(url: string, body?: unknown): Promise<JsonAnswer> {
  const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  return answer(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    }),
  );
}

/** URL of `/v1/token` for an app. */
export function tokenUrl(
  base: string,
  appId: string = SANDBOX_DEMO_APP.appId,
  secret: string = SANDBOX_DEMO_APP.appSecret,
): string {
  return `${base}/v1/token?grant_type=client_credential&appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(secret)}`;
}

/** URL of `/auth/autoRefreshToken`. */
export function refreshUrl(base: string, refreshToken: string): string {
  return `${base}/auth/autoRefreshToken?refresh_token=${encodeURIComponent(refreshToken)}`;
}

/** URL of an API path with an access_token. */
export function apiUrl(base: string, path: string, accessToken: string, extraQuery = ''): string {
  return `${base}${path}?access_token=${encodeURIComponent(accessToken)}${extraQuery ? `&${extraQuery}` : ''}`;
}

/** Fetches a token with `/v1/token`; fails the test when it is refused. */
export async function fetchToken(base: string, appId?: string, secret?: string): Promise<JsonBody> {
  const { body } = await getJson(tokenUrl(base, appId, secret));
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body;
}

/** The errcode an API call with this token gets on `/v1/app/followers` (0 when accepted). */
export async function tokenErrcode(base: string, accessToken: string): Promise<number> {
  const { body } = await getJson(apiUrl(base, '/v1/app/followers', accessToken));
  return body.errcode as number;
}

/** Uploads bytes with a multipart body built by the platform's FormData. */
export async function upload(
  base: string,
  accessToken: string,
  type: string,
  bytes: Uint8Array,
  field = 'media',
): Promise<JsonAnswer> {
  const form = new FormData();
  form.append(
    field,
    new Blob([bytes], { type: 'application/octet-stream' }),
    `upload.${type === 'image' ? 'png' : 'bin'}`,
  );
  return answer(
    await fetch(apiUrl(base, '/v1/media/upload', accessToken, `type=${type}`), {
      method: 'POST',
      body: form,
    }),
  );
}
