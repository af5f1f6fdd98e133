/** Largest body of the token routes: a stale_token is at most 4096 characters. */
export const TOKEN_BODY_LIMIT = 8 * 1024;
/** Largest body of a signature request: a page URL is at most 4,096 characters. */
export const SIGNATURE_BODY_LIMIT = 8 * 1024;
/** Largest body of a message send (a news message with several articles, 50 receivers...). */
export const MESSAGE_BODY_LIMIT = 1024 * 1024;
/** Deepest nesting of objects and arrays accepted in a JSON body. */
export const MAX_JSON_DEPTH = 400;
/**
 * Most members and elements (counted by their separators) in a JSON body. A message has a few
 * dozen (50 recipients at most); this keeps JSON.parse of any accepted body to a few milliseconds.
 */
export const MAX_JSON_VALUES = 10_000;

/** "8 KB", "1 MB": a body limit as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}
