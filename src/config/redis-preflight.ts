import { createClient, createCluster, createSentinel } from '@keyv/redis';
import type { QingtuiRedisOptions } from 'nestjs-qingtui';
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

/**
 * Like `checkRedis`, for a Sentinel set (the sentinels must name a primary that answers with
 * `REDIS_PASSWORD`) or a Cluster (a node must answer and describe the cluster).
 * @throws ConfigValidationError naming `variable`, with hosts and ports only
 */
export async function checkRedisTopology(
  options: QingtuiRedisOptions,
  variable: string,
  display: string,
  timeoutMs: number,
): Promise<void> {
  let lastError: string | undefined;
  const tls = options.sentinel?.tls === true || options.cluster?.tls === true;
  const socket = {
    connectTimeout: timeoutMs,
    reconnectStrategy: false as const,
    ...(tls ? { tls: true as const } : {}),
  };
  const sentinel =
    options.sentinel !== undefined
      ? createSentinel({
          name: options.sentinel.name,
          sentinelRootNodes: options.sentinel.sentinels,
          nodeClientOptions: {
            password: options.sentinel.password,
            username: options.sentinel.username,
            socket,
          },
          sentinelClientOptions: {
            password: options.sentinel.sentinelPassword,
            username: options.sentinel.sentinelUsername,
            socket,
          },
          maxCommandRediscovers: 1,
        })
      : undefined;
  const cluster =
    sentinel === undefined
      ? createCluster({
          rootNodes: (options.cluster?.nodes ?? []).map((n) => ({ socket: n })),
          defaults: {
            password: options.cluster?.password,
            username: options.cluster?.username,
            socket,
          },
        })
      : undefined;
  const client = (sentinel ?? cluster)!;
  const connectAndPing = async (): Promise<unknown> => {
    if (sentinel !== undefined) return (await sentinel.connect()).ping();
    return (await cluster!.connect()).sendCommand(undefined, true, ['PING']);
  };
  client.on('error', (error: Error) => (lastError = String(error?.message ?? error)));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connectAndPing(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    const reason = redact(lastError ?? (error as Error).message);
    throw new ConfigValidationError(
      variable,
      `does not lead to a usable Redis (${display}: ${reason}). Check the hosts, ports and ` +
        'passwords, or set REDIS_OPTIONAL=true to start without it',
    );
  } finally {
    clearTimeout(timer);
    try {
      await Promise.resolve(client.destroy() as unknown).catch(() => undefined);
    } catch {
      // never connected
    }
  }
}
