/**
 * Limits the platform documents for message sends and uploads (C# client comments, uptime-kuma
 * and the Java SDK). Lengths count characters (Unicode code points), not bytes.
 */
export const QINGTUI_MESSAGE_LIMITS = {
  /** Recipients of one mass send. */
  massMinRecipients: 1,
  massMaxRecipients: 50,
  /** textCard, keyValue and news article titles. */
  titleMaxChars: 45,
  /** textCard and keyValue `button_text`. */
  buttonTextMaxChars: 6,
  /** One textCard `content_list[].text`. */
  textCardLineMaxChars: 200,
  /** keyValue `content` pairs. */
  keyValueMaxPairs: 6,
  keyMaxChars: 8,
  valueMaxChars: 45,
  /** News article summary (`content`). */
  newsSummaryMaxChars: 120,
  /** Followers page size (`page_size`). */
  followersMaxPageSize: 100,
} as const;

/** Largest upload per media type, in bytes: image 300 KB, file 30 MB. */
export const QINGTUI_MEDIA_SIZE_LIMITS = {
  image: 300 * 1024,
  file: 30 * 1024 * 1024,
} as const;

/** Colors accepted by textCard lines, keyValue values, sub-titles and footers. */
export const QINGTUI_COLORS = ['black', 'highlight', 'gray'] as const;
