import type { NestExpressApplication } from '@nestjs/platform-express';
import { QingtuiSandbox, SANDBOX_DEMO_APP, type SandboxOptions } from 'qingtui-sandbox';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type CreateAppOptions, startServer } from '../../src/app.factory.js';
import { LogCapture } from './log-capture.js';

/** A client key allowed on every app. */
export const ADMIN_KEY = 'admin-client-key-0123456789abcdef';
/** A client key scoped to app `crm` only. */
export const CRM_KEY = 'crm-only-client-key-0123456789ab';

/** A second sandbox app, exposed by the server as `crm`. Its secret is searched for in logs. */
export const CRM_APP = {
  appId: 'crm-app-id',
  appSecret: 'crm-app-secret-DO-NOT-LOG-7f3a9c',
  followers: ['openid-dave'],
} as const;

/** Every secret of the harness: none may ever appear in the server's output. */
export const SECRETS = [SANDBOX_DEMO_APP.appSecret, CRM_APP.appSecret, ADMIN_KEY, CRM_KEY];

/**
 * Collects everything written to stdout/stderr while installed (Nest's default logger writes
 * there directly), on top of what goes through a `LogCapture`.
 */
export class OutputCapture {
  readonly chunks: string[] = [];
  private restore: (() => void) | undefined;

  install(): this {
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const tap =
      (original: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        this.chunks.push(
          typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
        );
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = tap(out);
    process.stderr.write = tap(err);
    this.restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  text(): string {
    return this.chunks.join('');
  }
}

/** A platform sandbox with the demo app (`default`) and the `crm` app. */
export async function startPlatform(
  options: SandboxOptions = {},
): Promise<{ sandbox: QingtuiSandbox; url: string }> {
  const sandbox = new QingtuiSandbox({
    apps: [
      { ...SANDBOX_DEMO_APP, followers: [...SANDBOX_DEMO_APP.followers] },
      { ...CRM_APP, followers: [...CRM_APP.followers] },
    ],
    ...options,
  });
  const url = await sandbox.start(0, '127.0.0.1');
  return { sandbox, url };
}

/** Writes a JSON apps file in a fresh temporary directory; returns its path and a cleanup. */
export function writeAppsFile(content: unknown): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'qingtui-apps-'));
  const path = join(dir, 'apps.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The server's environment for a sandbox at `url` (all three platforms' base URLs: nothing
 * leaves this machine): `default` (demo app) and `crm`.
 */
export function serverEnv(
  url: string,
  appsFile: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    QINGTUI_BASE_URL: url,
    WECHAT_BASE_URL: url,
    WECOM_BASE_URL: url,
    QINGTUI_APP_ID: SANDBOX_DEMO_APP.appId,
    QINGTUI_APP_SECRET: SANDBOX_DEMO_APP.appSecret,
    QINGTUI_APPS_FILE: appsFile,
    API_KEYS: `${ADMIN_KEY}, ${CRM_KEY}:crm`,
    ...extra,
  };
}

/** The server, a sandbox behind it, and what the server logged. */
export interface ServerHarness {
  app: NestExpressApplication;
  sandbox: QingtuiSandbox;
  logs: LogCapture;
  output: OutputCapture;
  /** Path of the server's QINGTUI_APPS_FILE. */
  appsFile: string;
  /** Everything the server printed, through the logger or straight to stdout/stderr. */
  printed(): string;
  close(): Promise<void>;
}

/**
 * Starts a sandbox and the server against it, in process (not listening unless `listen`):
 * drive it with `request(harness.app.getHttpServer())`.
 */
export async function startHarness(
  options: {
    /** Extra or overriding environment variables. */
    env?: Record<string, string>;
    sandbox?: SandboxOptions;
    /** Content of QINGTUI_APPS_FILE. @default the `crm` app */
    appsFile?: unknown;
    /** Listen on a free port (`startServer`) instead of only initialising (`createApp`). */
    listen?: boolean;
    /** Runs once the platform is up, before the server starts (e.g. to inject faults). */
    beforeServer?: (sandbox: QingtuiSandbox) => void;
    /** Options of `createApp` / `startServer` besides the logger. */
    app?: Omit<CreateAppOptions, 'logger'>;
  } = {},
): Promise<ServerHarness> {
  const { sandbox, url } = await startPlatform(options.sandbox);
  options.beforeServer?.(sandbox);
  const apps = writeAppsFile(
    options.appsFile ?? [{ name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret }],
  );
  const logs = new LogCapture();
  const output = new OutputCapture().install();
  try {
    const env = serverEnv(url, apps.path, options.env);
    const app = options.listen
      ? await startServer({ PORT: '0', ...env }, { ...options.app, logger: logs })
      : await createApp(env, { ...options.app, logger: logs });
    return {
      app,
      sandbox,
      logs,
      output,
      appsFile: apps.path,
      printed: () => `${logs.text()}\n${output.text()}`,
      close: async () => {
        await app.close();
        await sandbox.stop();
        output.uninstall();
        apps.cleanup();
      },
    };
  } catch (error) {
    output.uninstall();
    await sandbox.stop();
    apps.cleanup();
    throw error;
  }
}
