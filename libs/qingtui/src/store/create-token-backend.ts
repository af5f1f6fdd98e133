import { createCache } from 'cache-manager';
import type { ResolvedQingtuiOptions } from '../config/resolved-options.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import type { TokenBackend } from './token-backend.interface.js';

/** Picks the backend the options ask for: Redis when a Redis URL is set, else the cache. */
export function createTokenBackend(options: ResolvedQingtuiOptions): TokenBackend {
  // Consumer mode keeps its copy of the server's tokens in process: the server coordinates.
  return new CacheTokenBackend(options.mode === 'central' ? (options.store ?? createCache()) : createCache());
}
