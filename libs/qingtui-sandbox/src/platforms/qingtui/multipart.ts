/**
 * A small `multipart/form-data` reader (RFC 7578) for media uploads. It works
 * on a fully buffered body, which the upload size limit keeps small.
 */

/** One part of a multipart body. */
export interface MultipartPart {
  /** The `name` of its Content-Disposition. */
  name: string;
  /** The `filename` of its Content-Disposition, when it is a file part. */
  filename?: string;
  /** Its Content-Type header, when given. */
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data` Content-Type, or undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) {
    return undefined;
  }
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  return boundary !== undefined && boundary.length <= 70 ? boundary : undefined;
}

/**
 * Splits a multipart body into its parts.
 * @returns the parts, or undefined when the body is malformed
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];

  // The preamble before the first delimiter is ignored.
  let position = body.indexOf(delimiter);
  if (position < 0) return undefined;
  position += delimiter.length;

  for (;;) {
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts; // "--": close delimiter
    position = skipTransportPadding(body, position);
    if (!body.subarray(position, position + 2).equals(CRLF)) return undefined;
    const headerStart = position + 2;
    const headerEnd = body.indexOf(HEADER_END, headerStart);
    if (headerEnd < 0) return undefined;
    const dataStart = headerEnd + HEADER_END.length;
    const dataEnd = body.indexOf(nextDelimiter, dataStart);
    if (dataEnd < 0) return undefined;

    const part = partFromHeaders(
      body.toString('utf8', headerStart, headerEnd),
      body.subarray(dataStart, dataEnd),
    );
    if (part === undefined) return undefined;
    parts.push(part);
    position = dataEnd + nextDelimiter.length;
  }
}

function skipTransportPadding(body: Buffer, position: number): number {
  while (body[position] === 0x20 || body[position] === 0x09) position++;
  return position;
}

function partFromHeaders(headerBlock: string, data: Buffer): MultipartPart | undefined {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of headerBlock.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (disposition === undefined || !/^form-data\b/i.test(disposition)) return undefined;
  const name = dispositionParam(disposition, 'name');
  if (name === undefined) return undefined;
  const filename = dispositionParam(disposition, 'filename');
  return {
    name,
    data,
    ...(filename !== undefined && { filename }),
    ...(contentType !== undefined && { contentType }),
  };
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(
    disposition,
  );
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}
