import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  ParentMessage,
  WechatLoopResult,
  WechatWorkerConfig,
  WorkerMessage,
} from '../workers/wechat-loop.protocol.js';

/** The built worker entry, beside this file's folder in dist. */
const WORKER_ENTRY = fileURLToPath(new URL('../workers/wechat-loop.worker.js', import.meta.url));

/**
 * One worker process of the peers-wechat section, seen from the bench: forked with an IPC
 * channel, configured by message (the AppSecret never in argv or the environment), started,
 * told to go, and read back. Its output is kept (secret masked) for error messages.
 */
export class WechatLoopProcess {
  private readonly output: string[] = [];
  private readonly messages: WorkerMessage[] = [];
  private waiters: (() => void)[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly secret: string,
  ) {
    const collect = (chunk: Buffer) => this.output.push(chunk.toString());
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('message', (message: WorkerMessage) => {
      this.messages.push(message);
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
        this.wake();
      }),
    );
  }

  /** Forks a worker, sends its configuration and waits until its warm-up call succeeded. */
  static async start(config: WechatWorkerConfig, timeoutMs = 60_000): Promise<WechatLoopProcess> {
    const child = fork(WORKER_ENTRY, [], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker = new WechatLoopProcess(child, config.appSecret);
    try {
      worker.post({ type: 'start', config });
      await worker.next('ready', timeoutMs);
      return worker;
    } catch (error) {
      await worker.stop();
      throw error;
    }
  }

  /** Runs the closed loops for `durationMs` and returns what the process measured. */
  async run(durationMs: number): Promise<WechatLoopResult> {
    this.post({ type: 'go', durationMs });
    const message = await this.next('result', durationMs + 60_000);
    return message.result;
  }

  /** Waits for the process to exit by itself, and kills it after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    if (this.child.connected) this.child.disconnect();
    await this.exited;
    clearTimeout(timer);
  }

  private post(message: ParentMessage): void {
    this.child.send(message);
  }

  private async next<T extends WorkerMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<WorkerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((m) => m.type === type || m.type === 'error');
      if (index >= 0) {
        const [message] = this.messages.splice(index, 1);
        if (message.type === 'error')
          throw new Error(`worker failed: ${message.message}${this.tail()}`);
        return message as Extract<WorkerMessage, { type: T }>;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `worker exited (${this.child.exitCode ?? this.child.signalCode}) before '${type}'${this.tail()}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`worker sent no '${type}' in ${timeoutMs} ms${this.tail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The end of the process's output, with the AppSecret masked. */
  private tail(): string {
    const text = this.output.join('').split(this.secret).join('***').trim();
    return text ? `\n${text.slice(-2_000)}` : '';
  }
}
