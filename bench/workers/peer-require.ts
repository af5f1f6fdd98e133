import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * `require` resolving from the peers' own npm project (`bench/peers`), whose node_modules are
 * installed apart from the repository's lock file. The peers are CommonJS packages.
 */
export function peerRequire(peersDir: string): NodeJS.Require {
  return createRequire(join(peersDir, 'package.json'));
}
