import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The peers' own npm project: its lock file is apart from the repository's. */
export const PEERS_DIR = join(process.cwd(), 'bench', 'peers');

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Installs the peers from `bench/peers/package-lock.json` (`npm ci`) unless node_modules is
 * already there and newer than the lock file. Prints npm's output only if it fails.
 */
export async function ensurePeersInstalled(): Promise<void> {
  const installed = await mtime(join(PEERS_DIR, 'node_modules', '.package-lock.json'));
  const locked = await mtime(join(PEERS_DIR, 'package-lock.json'));
  if (installed !== undefined && locked !== undefined && installed >= locked) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(npm, ['ci', '--prefix', PEERS_DIR, '--no-audit', '--no-fund'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(`npm ci --prefix bench/peers failed (exit ${code}):\n${output.join('')}`);
  }
}

/** The installed version of a peer package, read from its package.json. */
export async function peerVersion(name: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}
