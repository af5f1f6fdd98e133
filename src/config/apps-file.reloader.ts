import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { TokenService } from 'nestjs-qingtui';
import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { withSecret } from './app-secrets.js';
import { readAppsFile } from './apps-file.js';
import { ConfigValidationError } from './config-validation.error.js';
import { mergeApps } from './merge-apps.js';
import {
  type AppSecretVault,
  identityOf,
  secretOf,
  type ServerApp,
  type ServerAppEntry,
  type ServerConfig,
} from './server-config.interface.js';

/** Why the apps file is read again. */
export type ReloadReason = 'change' | 'SIGHUP';

/** What a reload did, for tests and logs. */
export interface ReloadOutcome {
  /** Apps whose AppSecret was replaced. */
  replaced: string[];
  /**
   * Changes that need a restart, described for the log (apps added or removed, a changed
   * platform identity, quota or token API).
   */
  needRestart: string[];
  /** The new file was invalid and the previous configuration is kept. */
  rejected: boolean;
}

/** Time to let an editor finish writing (several events per save) before reading the file. */
const SETTLE_MS = 100;

/**
 * Holds the AppSecret of every app and re-reads `QINGTUI_APPS_FILE` when it changes (fs.watch on
 * its directory, so that editors' rename-on-save and Kubernetes' symlink swaps are seen) or on
 * SIGHUP (`reload('SIGHUP')`, wired in `startServer`).
 *
 * A replaced AppSecret is served by `secret(name)`, the provider handed to the library. Apps
 * added or removed, a changed AppID or quota need a restart: the reload says so and applies
 * only the AppSecrets of the apps that stay. An invalid new file is logged (by field, never by
 * value) and the previous configuration kept.
 */
@Injectable()
export class AppsFileReloader implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AppsFile');
  /** The apps the server runs (fixed until a restart). */
  private readonly running: readonly ServerApp[];
  /** Their names, so that a reload of 10,000 apps stays linear. */
  private readonly runningNames: ReadonlySet<string>;
  /** The app of `QINGTUI_APP_ID`, with its secret (merged with the file at each reload). */
  private readonly envApp: ServerAppEntry | undefined;
  /** The secrets configured at start-up (the configuration's vault). */
  private readonly configured: AppSecretVault | undefined;
  /** The secrets a reload replaced since: the others are read from the vault (not copied). */
  private readonly replaced = new Map<string, string>();
  private readonly file: string | undefined;
  private digest: string | undefined;
  private watcher: FSWatcher | undefined;
  private settle: NodeJS.Timeout | undefined;

  constructor(
    @Inject(ConfigService) config: ConfigService<ServerConfig, true>,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly redactor?: SecretRedactor,
  ) {
    const platform = config.get('platform', { infer: true });
    this.running = platform.mode === 'platform' ? platform.apps : [];
    this.file = platform.mode === 'platform' ? platform.appsFile : undefined;
    this.runningNames = new Set(this.running.map((app) => app.name));
    this.configured = platform.mode === 'platform' ? platform.secrets : undefined;
    const first = this.running[0];
    this.envApp =
      platform.mode === 'platform' && platform.hasEnvApp && first !== undefined
        ? withSecret(first, this.currentSecret(first.name))
        : undefined;
  }

  /** The apps file being watched, if any. */
  get path(): string | undefined {
    return this.file;
  }

  /** The current secret of `app` (AppSecret, or WeCom's corpsecret). */
  currentSecret(app: string): string {
    const secret = this.replaced.get(app) ?? this.configured?.get(app);
    if (secret === undefined) throw new Error(`No app "${app}" is configured`);
    return secret;
  }

  /** A provider of the current AppSecret of `app`, read at each call (`QingtuiSecret`). */
  secret(app: string): () => string {
    this.currentSecret(app);
    return () => this.currentSecret(app);
  }

  onModuleInit(): void {
    if (this.file === undefined) return;
    this.digest = this.readDigest();
    try {
      // persistent: false, so that the watch never keeps the process alive.
      this.watcher = watch(dirname(this.file), { persistent: false }, () => this.schedule());
      this.watcher.on('error', (error) =>
        this.logger.warn(
          `Watching QINGTUI_APPS_FILE stopped (${errorCode(error)}); SIGHUP still reloads it`,
        ),
      );
    } catch (error) {
      this.logger.warn(
        `Cannot watch QINGTUI_APPS_FILE (${errorCode(error)}); send SIGHUP to reload it`,
      );
    }
  }

  onModuleDestroy(): void {
    this.watcher?.close();
    clearTimeout(this.settle);
  }

  /**
   * Reads the apps file again and applies replaced AppSecrets. On `change`, a file whose content
   * did not change is ignored silently; SIGHUP always reports. Never throws: a problem is logged
   * and the previous configuration kept.
   */
  reload(reason: ReloadReason): ReloadOutcome {
    const outcome: ReloadOutcome = { replaced: [], needRestart: [], rejected: false };
    if (this.file === undefined) {
      if (reason === 'SIGHUP') this.logger.log('SIGHUP: no QINGTUI_APPS_FILE to reload');
      return outcome;
    }
    const digest = this.readDigest();
    if (reason === 'change' && digest === this.digest) return outcome;
    this.digest = digest;

    let next: ServerAppEntry[];
    try {
      next = mergeApps(this.envApp, readAppsFile(this.file));
    } catch (error) {
      // A ConfigValidationError names the file, index and field; nothing else is expected here.
      const problem =
        error instanceof ConfigValidationError
          ? error.message
          : `Reading QINGTUI_APPS_FILE failed (${errorCode(error)})`;
      this.logger.error(`${problem} (reloaded on ${reason}); the previous configuration is kept`);
      return { ...outcome, rejected: true };
    }

    const byName = new Map(next.map((app) => [app.name, app]));
    const added = next.filter((a) => !this.runningNames.has(a.name)).map((a) => a.name);
    const removed: string[] = [];
    for (const app of this.running) {
      const update = byName.get(app.name);
      if (update === undefined) removed.push(app.name);
      else if (identityOf(update) !== identityOf(app)) {
        outcome.needRestart.push(identityChange(app, update));
      } else {
        if (quotaOf(update) !== quotaOf(app)) {
          outcome.needRestart.push(`dailyQuota of "${app.name}" changed`);
        }
        if (secretOf(update) !== this.currentSecret(app.name)) {
          this.replaced.set(app.name, secretOf(update));
          this.redactor?.add(secretOf(update));
          outcome.replaced.push(app.name);
        }
      }
    }
    if (added.length > 0) outcome.needRestart.unshift(`apps added: ${added.join(', ')}`);
    if (removed.length > 0) outcome.needRestart.unshift(`apps removed: ${removed.join(', ')}`);
    this.report(reason, outcome);
    return outcome;
  }

  private report(reason: ReloadReason, outcome: ReloadOutcome): void {
    const where = `QINGTUI_APPS_FILE reloaded (${reason})`;
    if (outcome.replaced.length > 0) {
      const names = outcome.replaced.map((n) => `"${n}"`).join(', ');
      this.logger.log(`${where}: new secret for ${names}, used from the next credential fetch`);
      // A secret refused before is worth trying at once, not after the credential back-off.
      const tokens = this.moduleRef.get(TokenService, { strict: false });
      for (const name of outcome.replaced) tokens.credentialsChanged(name);
    }
    if (outcome.needRestart.length > 0) {
      this.logger.warn(
        `${where}: ${outcome.needRestart.join('; ')}. These take effect only after a restart; ` +
          'until then the server keeps its apps as they were at start-up',
      );
    }
    if (outcome.replaced.length === 0 && outcome.needRestart.length === 0) {
      this.logger.log(`${where}: no change`);
    }
  }

  private schedule(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.reload('change'), SETTLE_MS);
    this.settle.unref();
  }

  /** SHA-256 of the file's bytes, or undefined when it cannot be read. */
  private readDigest(): string | undefined {
    try {
      return createHash('sha256').update(readFileSync(this.file!)).digest('hex');
    } catch {
      return undefined;
    }
  }
}

/** Which part of an app's identity changed, for the log. */
function identityChange(before: ServerApp, after: ServerApp): string {
  if (before.platform !== after.platform) return `platform of "${before.name}" changed`;
  if (before.platform === 'wecom') return `corpId or agentId of "${before.name}" changed`;
  if ('appId' in after && after.appId !== before.appId) return `AppID of "${before.name}" changed`;
  return `stableToken of "${before.name}" changed`;
}

function quotaOf(app: ServerApp): unknown {
  return app.platform === 'wecom' ? undefined : app.dailyQuota;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'unknown error';
}
