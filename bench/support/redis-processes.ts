import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A temporary directory for the config files and node files of a set of Redis processes. */
export async function tempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${name}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * One `redis-server` process (a data node or, with `--sentinel`, a sentinel) started by a test,
 * in the foreground so that a SIGKILL is a crash, and killed in its teardown.
 */
export class RedisServerProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  constructor(
    readonly port: number,
    private readonly args: string[],
    private readonly cwd: string,
  ) {}

  static async withConfig(
    port: number,
    dir: string,
    config: string[],
    extraArgs: string[] = [],
  ): Promise<RedisServerProcess> {
    const file = join(dir, `redis-${port}.conf`);
    await writeFile(file, `${config.join('\n')}\n`);
    return new RedisServerProcess(port, [file, ...extraArgs], dir);
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.killed;
  }

  /** Starts it and waits until its port accepts connections. */
  async start(): Promise<this> {
    const child = spawn('redis-server', this.args, {
      cwd: this.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      if (this.output.length < 2_000) this.output.push(chunk.toString());
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`redis-server on ${this.port} exited: ${this.output.join('').slice(-500)}`);
      }
      if (await portOpen(this.port)) return this;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** SIGKILL: a crash, nothing flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Runs `redis-cli` with `args` (the password through REDISCLI_AUTH, never on a command line). */
export async function redisCli(
  args: string[],
  password?: string,
  timeoutMs = 30_000,
): Promise<string> {
  const { stdout } = await run('redis-cli', args, {
    timeout: timeoutMs,
    env: { ...process.env, ...(password === undefined ? {} : { REDISCLI_AUTH: password }) },
  });
  return stdout;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
