import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { QingtuiSandbox, SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import type { QingtuiAppConfig } from 'nestjs-qingtui';
import { DEFAULT_APP_NAME } from '../config/server-config.interface.js';

/**
 * The local platform emulator started when no app is configured. Holds nothing when the
 * server talks to a real platform. Stopped after every module is destroyed, so that renewals
 * still in flight at shutdown can finish.
 */
export class EmbeddedSandbox implements OnApplicationShutdown {
  private constructor(
    /** The running sandbox, in sandbox mode. */
    readonly sandbox: QingtuiSandbox | undefined,
    /** Its base URL, in sandbox mode. */
    readonly url: string | undefined,
  ) {}

  /** No sandbox: the server talks to the platform. */
  static none(): EmbeddedSandbox {
    return new EmbeddedSandbox(undefined, undefined);
  }

  /**
   * Starts a sandbox with the demo app on 127.0.0.1, on a free port.
   * @param tokenTtlSeconds lifetime of its tokens (`QINGTUI_SANDBOX_TOKEN_TTL`); 7200 s by default
   */
  static async start(tokenTtlSeconds?: number): Promise<EmbeddedSandbox> {
    const logger = new Logger('QingtuiSandbox');
    // The sandbox logs path, status and errcode only: never a query string, so never a secret.
    const sandbox = new QingtuiSandbox({
      log: (line) => logger.verbose(line),
      ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    });
    const url = await sandbox.start(0, '127.0.0.1');
    logger.log(`Embedded Qingtui sandbox listening on ${url}`);
    return new EmbeddedSandbox(sandbox, url);
  }

  get enabled(): boolean {
    return this.sandbox !== undefined;
  }

  /** The app the server manages in sandbox mode: the sandbox's demo app, named `default`. */
  get app(): QingtuiAppConfig {
    return {
      name: DEFAULT_APP_NAME,
      appId: SANDBOX_DEMO_APP.appId,
      appSecret: SANDBOX_DEMO_APP.appSecret,
    };
  }

  /** openids that follow the demo app. */
  get followers(): readonly string[] {
    return SANDBOX_DEMO_APP.followers;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.stop();
  }
}
