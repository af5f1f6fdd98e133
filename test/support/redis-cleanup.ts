import { createClient } from '@keyv/redis';

/** Deletes every key under `prefix:` (test runs use their own prefix; records live 30 days). */
export async function deleteKeysWithPrefix(url: string, prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const redis = createClient({ url });
  await redis.connect();
  try {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(keys);
    }
  } finally {
    await redis.close();
  }
}
