import { ConfigValidationError } from './config-validation.error.js';

/** A validated `REDIS_URL`, and the form of it that may be logged. */
export interface ParsedRedisUrl {
  /** The URL as given, for the Redis client. Holds the password: never log it. */
  url: string;
  /** The URL with any user name and password replaced by `***`: safe to log. */
  display: string;
}

/*
 * Written so that the log redactor (which blanks `scheme://…@` in URLs) leaves it readable: no
 * `scheme://user:password@` in it.
 */
const EXPECTED =
  'must be redis://host[:port][/db] or rediss://host[:port][/db] (TLS), with "user:password@" or ' +
  '":password@" before the host when Redis needs a password; percent-encode "#", "@", "/", "?" ' +
  'and "%" in the password (e.g. "#" as %23)';

/**
 * Parses `REDIS_URL` with the WHATWG URL parser, which the Redis client uses too, so that what is
 * accepted here is what the client will connect to. A `#` or `?` left unencoded in a password cuts
 * the URL short (a fragment, a query, or no host): refused here, by name, without the value.
 * @throws ConfigValidationError naming `REDIS_URL`; the message never holds the URL
 */
export function parseRedisUrl(value: string): ParsedRedisUrl {
  const fail = (problem: string): never => {
    throw new ConfigValidationError('REDIS_URL', problem);
  };
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // TypeError: Invalid URL (its `input` property holds the value: not used).
    url = undefined;
  }
  if (url === undefined) return fail(`is not a valid URL: it ${EXPECTED}`);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return fail(`must use the redis:// or rediss:// scheme: it ${EXPECTED}`);
  }
  if (url.hostname === '') return fail(`has no host: it ${EXPECTED}`);
  if (url.hash !== '' || url.search !== '') {
    return fail(
      `has a "#" or "?" part, most likely from an unencoded character in the password: it ${EXPECTED}`,
    );
  }
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,5}$/.test(url.pathname)) {
    return fail('may only have a database number as its path (e.g. redis://host:6379/2)');
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return fail('has a malformed percent-encoding (%XX) in its user name or password');
  }
  const credentials = url.username !== '' || url.password !== '' ? '***@' : '';
  const path = url.pathname === '/' ? '' : url.pathname;
  return { url: value, display: `${url.protocol}//${credentials}${url.host}${path}` };
}
