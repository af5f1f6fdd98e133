import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import { apiUrl, fetchToken, postJson, upload } from '../../testing/http-helpers.js';

const KB = 1024;

describe('POST /v1/media/upload', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let token: string;

  beforeEach(async () => {
    sandbox = new QingtuiSandbox({ now: () => 1_700_000_000_000 });
    base = await sandbox.start();
    token = (await fetchToken(base)).access_token;
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('stores an image and answers type, media_id and created_at', async () => {
    const { status, body } = await upload(base, token, 'image', new Uint8Array(300 * KB));
    expect(status).toBe(200);
    expect(body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      type: 'image',
      media_id: expect.stringMatching(/^media_[0-9a-f]{24}$/),
      created_at: 1_700_000_000_000,
    });
  });

  it('accepts files up to 30 MB', async () => {
    const { body } = await upload(base, token, 'file', new Uint8Array(2 * KB * KB));
    expect(body).toMatchObject({ errcode: 0, type: 'file' });
  });

  it('answers 40006 to an image over 300 KB and a file over 30 MB', async () => {
    expect((await upload(base, token, 'image', new Uint8Array(300 * KB + 1))).body.errcode).toBe(
      40006,
    );
    expect((await upload(base, token, 'file', new Uint8Array(30 * KB * KB + 1))).body.errcode).toBe(
      40006,
    );
  });

  it('answers 40004 to a bad type, 41005 without media, 44001 to empty media', async () => {
    expect((await upload(base, token, 'video', new Uint8Array(10))).body.errcode).toBe(40004);
    expect((await upload(base, token, 'image', new Uint8Array(10), 'file')).body.errcode).toBe(
      41005,
    );
    expect(
      (await postJson(apiUrl(base, '/v1/media/upload', token, 'type=image'), { media: 'x' })).body
        .errcode,
    ).toBe(41005);
    expect((await upload(base, token, 'image', new Uint8Array(0))).body.errcode).toBe(44001);
  });

  it('answers 40038 to a malformed multipart body', async () => {
    const response = await fetch(apiUrl(base, '/v1/media/upload', token, 'type=image'), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="media"\r\n\r\nno closing delimiter',
    });
    expect(((await response.json()) as { errcode: number }).errcode).toBe(40038);
  });

  it('requires a valid access_token', async () => {
    expect((await upload(base, 'bad', 'image', new Uint8Array(10))).body.errcode).toBe(40014);
    expect(sandbox.counters().total.invalidTokenCalls).toBe(1);
  });
});
