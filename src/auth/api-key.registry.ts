import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import type { ServerConfig } from '../config/server-config.interface.js';
import type { ApiKeyEntry } from './api-key-entry.interface.js';
import { digestKey, sameDigest } from './key-digest.js';

/**
 * The client keys the server accepts, held as SHA-256 digests. In sandbox mode without
 * `API_KEYS` it makes a random development key, the one key ever shown (in the banner).
 */
@Injectable()
export class ApiKeyRegistry {
  private readonly entries: readonly ApiKeyEntry[];
  /** The generated development key, when there is one. */
  readonly developmentKey?: string;

  constructor(@Inject(ConfigService) config: ConfigService<ServerConfig, true>) {
    const keys = config.get('auth', { infer: true }).keys;
    const sandbox = config.get('platform', { infer: true }).mode === 'sandbox';
    if (keys.length === 0 && sandbox) {
      this.developmentKey = `dev-${randomBytes(24).toString('base64url')}`;
      this.entries = [
        { label: 'development key', digest: digestKey(this.developmentKey), scope: 'all' },
      ];
    } else {
      this.entries = keys;
    }
  }

  /**
   * The entry of a presented key, or undefined. Every configured key is compared, in constant
   * time over fixed-length digests, so timing tells nothing about which key came close.
   */
  find(presented: string): ApiKeyEntry | undefined {
    const digest = digestKey(presented);
    let found: ApiKeyEntry | undefined;
    for (const entry of this.entries) {
      if (sameDigest(digest, entry.digest) && found === undefined) found = entry;
    }
    return found;
  }

  /** The keys that may use `app` (to check a credential derived from one of them). */
  entriesFor(app: string): ApiKeyEntry[] {
    return this.entries.filter((entry) => this.allows(entry, app));
  }

  /** Whether the key of `entry` may use `app`. */
  allows(entry: ApiKeyEntry, app: string): boolean {
    return entry.scope === 'all' || entry.scope.includes(app);
  }
}
