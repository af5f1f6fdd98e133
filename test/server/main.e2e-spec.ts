import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MAIN = 'dist/src/main.js';

/** Runs the built server (`npm run build` first: `npm run test:e2e` does). */
describe.skipIf(!existsSync(MAIN))('the built server (node dist/src/main.js)', () => {
  it('starts in sandbox mode from an empty environment, serves a token and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, PORT: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = Date.now() + 20_000;
      while (!/listening on http:\/\/localhost:\d+/.test(output) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const curl =
        /curl -s -H 'Authorization: Bearer (\S+)' (http:\/\/localhost:\d+\/apps\/default\/token)/.exec(
          output,
        );
      expect(curl, output).not.toBeNull();
      const res = await fetch(curl![2], { headers: { Authorization: `Bearer ${curl![1]}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { access_token: string }).access_token).toMatch(
        /^[\w-]+\.[\w-]+\.[\w-]+$/,
      );
    } finally {
      child.kill('SIGTERM');
    }
    const { code, signal } = await exited;
    // Nest closes the app (shutdown hooks), then re-raises the signal.
    expect(code === 0 || signal === 'SIGTERM', `code ${code}, signal ${signal}`).toBe(true);
    expect(output).not.toMatch(/ERROR/);
  });
});
