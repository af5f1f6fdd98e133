import { randomBytes } from 'node:crypto';

/** Media types accepted by `/v1/media/upload`. */
export type MediaType = 'image' | 'file';

/** Largest upload per media type, in bytes: image 300 KB, file 30 MB. */
export const MEDIA_SIZE_LIMITS: Readonly<Record<MediaType, number>> = Object.freeze({
  image: 300 * 1024,
  file: 30 * 1024 * 1024,
});

/** What the platform keeps of an upload. The bytes themselves are not kept. */
export interface MediaRecord {
  readonly mediaId: string;
  readonly appId: string;
  readonly type: MediaType;
  readonly size: number;
  readonly filename: string | undefined;
  readonly createdAt: number;
}

/** Uploaded media, by media_id. A media_id is usable only by the app that uploaded it. */
export class MediaStore {
  private readonly media = new Map<string, MediaRecord>();

  save(record: Omit<MediaRecord, 'mediaId'>): MediaRecord {
    const saved = { ...record, mediaId: `media_${randomBytes(12).toString('hex')}` };
    this.media.set(saved.mediaId, saved);
    return saved;
  }

  /** The app's media with this id and type, else undefined. */
  find(appId: string, mediaId: unknown, type: MediaType): MediaRecord | undefined {
    if (typeof mediaId !== 'string') return undefined;
    const record = this.media.get(mediaId);
    return record?.appId === appId && record.type === type ? record : undefined;
  }

  clear(): void {
    this.media.clear();
  }
}
