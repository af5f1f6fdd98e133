/**
 * The rules of the options that an application may also read from elsewhere (environment
 * variables, a file), exported so that it checks them once, with the library's own limits:
 * the reference server's configuration imports these instead of re-stating them.
 */
export const QINGTUI_OPTION_RULES = {
  /** An app's `name` (used in code, URLs and store keys). */
  appName: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    description:
      'letters, digits, "_", "-" and "." (at most 64 characters, not starting with "_", "-" or ".")',
  },
  /** `keyPrefix` of the store keys. */
  keyPrefix: {
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    description: 'letters, digits, "_", "-" and "." (at most 64 characters)',
  },
  /** `encryptionKey` of the refresh_token at rest. */
  encryptionKey: { minLength: 32, maxLength: 1024 },
  /** `httpTimeoutMs`. */
  httpTimeoutMs: { min: 100, max: 120_000 },
  /** `refresh.ratio`. */
  refreshRatio: { min: 0.1, max: 0.95 },
  /** `redisTimeoutMs`. */
  redisTimeoutMs: { min: 50, max: 60_000 },
  /** `prefetchConcurrency`: apps fetched at once at start-up. */
  prefetchConcurrency: { min: 1, max: 1_000, default: 32 },
} as const;

/** What is wrong with an encryption key, or undefined when it follows the rule. Never quotes it. */
export function encryptionKeyProblem(value: string): string | undefined {
  const { minLength, maxLength } = QINGTUI_OPTION_RULES.encryptionKey;
  if (value.length >= minLength && value.length <= maxLength) return undefined;
  return `must be ${minLength} to ${maxLength} characters long (e.g. \`openssl rand -base64 33\`); it is ${value.length}`;
}
