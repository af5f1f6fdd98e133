import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The built server's entry (`npm run build` first). */
export const MAIN = 'dist/src/main.js';
/** Whether the server is built: tests of real processes are skipped otherwise. */
export const BUILT = existsSync(MAIN);

/**
 * One process of the built server (`node dist/src/main.js`), configured only by `env`, with its
 * output collected and its exit awaited.
 */
export class BuiltServer {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything the process printed so far. */
  text(): string {
    return this.output;
  }

  /** Waits until the output matches `pattern`; fails with the output after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`No ${pattern} in the server's output:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The URL the server logged it listens on. */
  async url(): Promise<string> {
    const [, port] = await this.waitFor(/listening on http:\/\/localhost:(\d+)/);
    return `http://127.0.0.1:${port}`;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Stops the process (SIGKILL) if it still runs. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}
