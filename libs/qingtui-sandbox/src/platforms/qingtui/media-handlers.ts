import { MEDIA_SIZE_LIMITS } from './media-store.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { PLATFORM_ERRORS as E, PLATFORM_OK, platformError } from './qingtui-errors.js';
import type { ApiRequest, ApiRoute } from './qingtui-route.js';
import type { QingtuiState } from './qingtui-state.js';

/** Path of the media upload endpoint. */
const MEDIA_UPLOAD_PATH = '/v1/media/upload';

/** Multipart field that carries the file. */
const MEDIA_FIELD = 'media';

/** `POST /v1/media/upload?type=image|file`, multipart field `media`. */
export function mediaRoutes(state: QingtuiState): Record<string, ApiRoute> {
  return {
    [MEDIA_UPLOAD_PATH]: {
      kind: 'api',
      method: 'POST',
      body: 'multipart',
      handle: (request) => upload(state, request),
    },
  };
}

function upload(state: QingtuiState, { app, query, body, contentType }: ApiRequest): object {
  const type = query.get('type');
  if (type !== 'image' && type !== 'file') {
    return platformError(E.invalidMediaType, 'type must be image or file');
  }

  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) return platformError(E.missingMedia, 'multipart/form-data expected');
  const parts = parseMultipart(body, boundary);
  if (parts === undefined) return platformError(E.invalidRequestFormat, 'malformed multipart body');
  const part = parts.find((p) => p.name === MEDIA_FIELD);
  if (part === undefined) return platformError(E.missingMedia, `no "${MEDIA_FIELD}" field`);

  const size = part.data.length;
  if (size === 0) return E.emptyMedia;
  if (size > MEDIA_SIZE_LIMITS[type]) {
    return platformError(E.invalidFileSize, `${type} larger than ${MEDIA_SIZE_LIMITS[type]} bytes`);
  }
  const media = state.media.save({
    appId: app.appId,
    type,
    size,
    filename: part.filename,
    createdAt: state.now(),
  });
  return { ...PLATFORM_OK, type, media_id: media.mediaId, created_at: media.createdAt };
}
