/**
 * The messages between the peers-wechat bench section and one worker process (Node IPC). The
 * AppSecret travels in the `start` message only: never in argv or the environment, where `ps`
 * and /proc would show it.
 */

/** Which library a worker drives, and where it keeps its token. */
export type WechatClientKind =
  | 'co-wechat-api/memory'
  | 'co-wechat-api/redis'
  | 'wechat-api/memory'
  | 'wechat-api/redis'
  | 'node-easywechat/file'
  | 'node-easywechat/redis'
  | 'nestjs-qingtui/redis';

/** Everything a worker needs to build its client and run its loops. */
export interface WechatWorkerConfig {
  client: WechatClientKind;
  /** The sandbox, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  sandboxUrl: string;
  appId: string;
  appSecret: string;
  /** Shared Redis of the `redis` kinds. */
  redisUrl: string;
  /** Prefix of every Redis key (and of the file cache folder) of this run: shared by its N processes. */
  keyPrefix: string;
  /** Folder of the peers' npm project (`bench/peers`), whose node_modules hold the peer libraries. */
  peersDir: string;
  /** Folder this process may write its own files to (node-easywechat's file cache). */
  scratchDir: string;
  /** Concurrent closed loops in this process. */
  loops: number;
  /** Pause of each loop between two calls (ms). */
  pauseMs: number;
  /**
   * How long the sandbox keeps the previous `/cgi-bin/token` token alive after a new one (the
   * platform's 5 minutes, compressed): the rule a library that knows it plans around.
   */
  tokenOverlapMs: number;
}

export type ParentMessage =
  { type: 'start'; config: WechatWorkerConfig } | { type: 'go'; durationMs: number };

/** What one process measured during the window. */
export interface WechatLoopResult {
  calls: number;
  /** Calls whose caller got no `ip_list`: an exception, or an answer carrying an errcode. */
  failed: number;
  /** Failed calls by reason (`errcode 40001`, `ECONNRESET`, ...). */
  failures: Record<string, number>;
  /** Duration of every call, failed ones included (ms). */
  latenciesMs: number[];
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; result: WechatLoopResult }
  | { type: 'error'; message: string };
