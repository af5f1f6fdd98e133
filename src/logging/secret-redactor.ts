/** What replaces a secret in a log line. */
export const REDACTED = '***';

/** Secrets shorter than this are not matched by value (too likely to match ordinary words). */
const MIN_SECRET_LENGTH = 6;
/** Object keys whose values are secrets, whatever they hold. */
const SECRET_KEYS =
  /^(app_?secret|secret|corpsecret|password|passwd|access_?token|refresh_?token|stale_?token|authorization|api_?keys?|client_?key|metrics_?key|encryption_?key)$/i;
/** `name=value` in query strings and forms. */
const SECRET_PARAMS =
  /\b(access_token|refresh_token|stale_token|secret|corpsecret|appsecret|app_secret|password|api_keys?|apikey)=([^&\s"'#,;]+)/gi;
/** `"name": "value"` in JSON text. */
const SECRET_JSON_FIELDS =
  /"(access_?token|accessToken|refresh_?token|refreshToken|stale_?token|appSecret|app_secret|secret|corpsecret|password|apiKey|api_key|authorization)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/gi;
/** Credentials of an HTTP Authorization header. */
const AUTH_SCHEMES = /\b(Bearer|Basic)([ \t]+)([A-Za-z0-9._~+/=-]{16,})/gi;
/** `scheme://user:password@` in URLs (Redis URLs, proxies). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
/** JWT-shaped tokens (the sandbox's access_tokens and refresh_tokens look like this). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g;
const MAX_DEPTH = 8;

/**
 * Removes secrets from log output, as a second line of defence (the code logs none on purpose):
 * the configured secret values (AppSecrets, client keys, `METRICS_KEY`, the encryption key, the
 * Redis password), and anything that looks like one (`access_token=…` in a query string,
 * `"refresh_token": "…"` in JSON, `Bearer …`, `user:password@` in a URL, JWT-shaped tokens, and
 * the values of object keys such as `appSecret`).
 *
 * Written here rather than taken from a library: pino's and Nest's redaction work on object
 * paths, while a secret in a log line is most likely inside a string.
 */
export class SecretRedactor {
  private readonly values = new Set<string>();
  private readonly allowed = new Set<string>();
  /**
   * The secret values by their first `MIN_SECRET_LENGTH` characters, longest first: a line is
   * scanned once whatever the number of secrets, and adding one (an AppSecret replaced among
   * 10,000) touches one entry (a regular expression of every value took a quarter of a second
   * to build again at 10,000 apps).
   */
  private readonly byPrefix = new Map<string, string[]>();

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) if (value !== undefined) this.add(value);
  }

  /** Adds a secret value (an AppSecret read again from the apps file, say). */
  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.values.has(value) || this.allowed.has(value))
      return;
    this.values.add(value);
    const prefix = value.slice(0, MIN_SECRET_LENGTH);
    const list = this.byPrefix.get(prefix) ?? [];
    list.push(value);
    list.sort((a, b) => b.length - a.length);
    this.byPrefix.set(prefix, list);
  }

  /**
   * A value that may be printed although it looks like a secret: the sandbox's development key,
   * shown once in the start-up banner so that a person can use it.
   */
  allow(value: string): void {
    this.allowed.add(value);
    if (!this.values.delete(value)) return;
    const prefix = value.slice(0, MIN_SECRET_LENGTH);
    const list = this.byPrefix.get(prefix)?.filter((v) => v !== value) ?? [];
    if (list.length > 0) this.byPrefix.set(prefix, list);
    else this.byPrefix.delete(prefix);
  }

  /** `text` with every secret replaced by `***`. */
  scrub(text: string): string {
    let out = this.scrubValues(text);
    const keep = (whole: string, secret: string, redacted: string) =>
      this.allowed.has(secret) ? whole : redacted;
    out = out
      .replace(SECRET_PARAMS, (whole, name: string, v: string) =>
        keep(whole, v, `${name}=${REDACTED}`),
      )
      .replace(SECRET_JSON_FIELDS, (whole, name: string, sep: string, v: string) =>
        keep(whole, v, `"${name}"${sep}"${REDACTED}"`),
      )
      .replace(AUTH_SCHEMES, (whole, scheme: string, space: string, v: string) =>
        keep(whole, v, `${scheme}${space}${REDACTED}`),
      )
      .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
      .replace(JWT, REDACTED);
    return out;
  }

  /** A copy of `value` with every string scrubbed and secret-named fields replaced; errors too. */
  scrubValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    if (value instanceof Error) return this.scrubError(value);
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, depth + 1));
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        SECRET_KEYS.test(key) && item !== undefined && item !== null
          ? REDACTED
          : this.scrubValue(item, depth + 1),
      ]),
    );
  }

  private scrubError(error: Error): Error {
    const copy = new Error(this.scrub(error.message));
    copy.name = error.name;
    copy.stack = error.stack === undefined ? undefined : this.scrub(error.stack);
    for (const [key, item] of Object.entries(error)) {
      if (item === null || typeof item !== 'object') {
        (copy as unknown as Record<string, unknown>)[key] = SECRET_KEYS.test(key)
          ? REDACTED
          : this.scrubValue(item);
      }
    }
    return copy;
  }

  /** `text` with every configured secret value replaced (leftmost, longest first). */
  private scrubValues(text: string): string {
    if (this.byPrefix.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    let out = '';
    let copied = 0;
    for (let i = 0; i <= text.length - MIN_SECRET_LENGTH;) {
      const candidates = this.byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH));
      const found = candidates?.find((value) => text.startsWith(value, i));
      if (found === undefined) {
        i += 1;
        continue;
      }
      out += text.slice(copied, i) + REDACTED;
      i += found.length;
      copied = i;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
