import { createClient } from '@keyv/redis';
import { ConfigValidationError } from './config-validation.error.js';

/**
 * Checks, before Nest starts, that `REDIS_URL` leads to a Redis that answers with these
 * credentials and this database, so that a wrong one is one line naming the variable (the
 * library would refuse too, but inside Nest's start-up, as a stack trace naming its option).
 * The message names the host and port, never the password.
 * @throws ConfigValidationError naming `REDIS_URL`
 */
export async function checkRedis(url: string, timeoutMs: number): Promise<void> {
  let lastError: string | undefined;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
  });
  client.on('error', (error: Error) => (lastError = error.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    const reason = redact(lastError ?? (error as Error).message);
    throw new ConfigValidationError(
      'REDIS_URL',
      `does not lead to a usable Redis (${where(url)}: ${reason}). Check the host, port, ` +
        'password and database, or set REDIS_OPTIONAL=true to start without it',
    );
  } finally {
    clearTimeout(timer);
    if (client.isOpen) client.destroy();
  }
}

function where(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 6379}`;
}

/** Error texts of the Redis client may quote the URL, password included. */
function redact(message: string): string {
  return message.replace(/(rediss?:\/\/)[^@\s]*@/gi, '$1***@');
}
