/**
 * Texts of `QingtuiValidationError.problem`, in one place. Each follows the field path in the
 * error message ("message.title has 46 characters; at most 45 are allowed").
 */
export const validationMessages = {
  required: () => 'is required and must not be empty',
  notString: () => 'must be a string',
  notNumber: () => 'must be a finite number',
  notBoolean: () => 'must be a boolean',
  notObject: () => 'must be an object',
  notArray: () => 'must be an array',
  notInteger: (min: number, max?: number) =>
    max === undefined
      ? `must be an integer of at least ${min}`
      : `must be an integer from ${min} to ${max}`,
  tooLong: (length: number, max: number) => `has ${length} characters; at most ${max} are allowed`,
  tooShort: (length: number, min: number) =>
    `has ${length} characters; at least ${min} are required`,
  tooManyBytes: (bytes: number, max: number) =>
    `is ${bytes} bytes in UTF-8; at most ${max} are allowed`,
  notOneOf: (value: unknown, allowed: readonly (string | number)[]) =>
    `is ${JSON.stringify(value)}; expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
  unknownMsgtype: (value: unknown, allowed: readonly string[]) =>
    `is ${JSON.stringify(value)}; allowed msgtypes are ${allowed.join(', ')}`,
  noWecomTarget: () => 'names no recipient: give toUser (ids or "@all"), toParty or toTag',
  idWithBar: () => 'must not contain "|" (the platform joins ids with it)',
  notDigits: () => 'must be a whole number or a string of digits',
  notSupportedFor: (msgtype: string) => `is not supported for ${msgtype} messages`,
  oneOfRequired: (fields: readonly string[]) => `is required: give ${fields.join(' or ')}`,
  requiredFor: (what: string) => `is required for ${what}`,
  onlyWith: (what: string) => `only applies with ${what}`,
  badPattern: (what: string) => `may only hold ${what}`,

  tooFew: (count: number, min: number, what: string) =>
    `has ${count} ${what}; at least ${min} ${min === 1 ? 'is' : 'are'} required`,
  tooMany: (count: number, max: number, what: string) =>
    `has ${count} ${what}; at most ${max} are allowed`,
  badColor: (value: unknown, allowed: readonly string[]) =>
    `is ${JSON.stringify(value)}; allowed colors are ${allowed.join(', ')}`,
  unknownType: (value: unknown, allowed: readonly string[]) =>
    `is ${JSON.stringify(value)}; allowed message types are ${allowed.join(', ')}`,
  duplicate: (firstIndex: number) =>
    `repeats the openid at index ${firstIndex}; the platform would deliver twice`,
  noTarget: () =>
    'names no recipient: give one of toUser, toUsers, channelId or allFollowers: true',
  twoTargets: (other: string) => `cannot be combined with ${other}: give one recipient kind only`,
  notTrue: () => 'must be true to send to every follower',
  targetNotAllowed: (type: string, kind: string, allowed: readonly string[]) =>
    `is not allowed: ${type} messages have no ${kind === 'service' ? 'service (all followers)' : kind} ` +
    `variant; allowed targets are ${allowed.join(', ')}`,
  unknownField: (allowed: readonly string[]) =>
    `is not a known field here; expected ${allowed.join(', ')}`,
  cardNotJson: () => 'must be the card as an object or as its JSON text',
  emptyMedia: () => 'is empty',
  mediaTooLarge: (size: number, max: number, type: string) =>
    `is ${size} bytes; ${type} uploads may be at most ${max} bytes (${formatBytes(max)})`,
  notMedia: () => 'must be a Buffer or Uint8Array',
  mediaType: (value: unknown) => `is ${JSON.stringify(value)}; expected "image" or "file"`,
  headerUnsafe: () => 'must not contain line breaks or control characters',
  notRelativePath: () => 'must be a path on the platform, starting with a single "/"',
};

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}
