import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart } from './multipart.js';

describe('multipart', () => {
  it('reads the boundary of multipart/form-data only', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeUndefined();
    expect(multipartBoundary('multipart/form-data')).toBeUndefined();
    expect(multipartBoundary(undefined)).toBeUndefined();
  });

  it("parses the bodies Node's FormData builds (as Node clients upload)", async () => {
    const form = new FormData();
    form.append('type', 'image');
    const bytes = Buffer.from([0, 13, 10, 45, 45, 255, 13, 10]); // CR LF "--" inside the data
    form.append('media', new Blob([bytes], { type: 'image/png' }), 'logo.png');
    const body = new Response(form);
    const boundary = multipartBoundary(body.headers.get('content-type') ?? undefined);
    expect(boundary).toBeDefined();

    const parts = parseMultipart(Buffer.from(await body.arrayBuffer()), boundary as string);
    expect(parts).toEqual([
      { name: 'type', data: Buffer.from('image') },
      { name: 'media', filename: 'logo.png', contentType: 'image/png', data: bytes },
    ]);
  });

  it('parses quoted names with escapes and ignores the preamble', () => {
    const body = Buffer.from(
      'preamble\r\n--b\r\nContent-Disposition: form-data; name="a\\"b"; filename="x.txt"\r\n\r\nhello\r\n--b--\r\n',
    );
    expect(parseMultipart(body, 'b')).toEqual([
      { name: 'a"b', filename: 'x.txt', data: Buffer.from('hello') },
    ]);
  });

  it('rejects malformed bodies', () => {
    expect(parseMultipart(Buffer.from('no delimiter'), 'b')).toBeUndefined();
    expect(
      parseMultipart(
        Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'),
        'b',
      ),
    ).toBeUndefined();
    expect(
      parseMultipart(Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--'), 'b'),
    ).toBeUndefined();
    expect(parseMultipart(Buffer.from('--bXX'), 'b')).toBeUndefined();
  });
});
