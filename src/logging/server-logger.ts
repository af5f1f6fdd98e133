import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import {
  DEFAULT_LOG_FORMAT,
  DEFAULT_LOG_LEVEL,
  loggingConfig,
  logLevelsFrom,
  type LogFormat,
  type ServerLogLevel,
} from '../config/observability-config.js';
import { isoTimestamp } from './iso-timestamp.js';
import { SecretRedactor } from './secret-redactor.js';
import { environmentSecrets } from './secret-values.js';

/** Settings of the server's logger (`LOG_LEVEL`, `LOG_FORMAT`). */
export interface ServerLoggerOptions {
  level: ServerLogLevel;
  format: LogFormat;
  redactor: SecretRedactor;
}

/**
 * The server's logger: Nest's `ConsoleLogger` with
 * - `LOG_LEVEL` as a threshold, and `LOG_FORMAT=json` (one JSON object per line: `time`, `level`,
 *   `pid`, `context`, `message`, and the structured fields of the line, e.g. an access log's
 *   `method`, `path`, `status`) or `pretty` (lines for people; the message says everything);
 * - ISO 8601 timestamps with the time zone in both formats;
 * - every message, field and stack trace passed through a `SecretRedactor`.
 *
 * Nest's own logger rather than pino: its JSON mode covers what is needed, it writes
 * synchronously (no line is lost when the process exits on a start-up error), and every Nest
 * component already logs through it with its own context.
 */
export class ServerLogger extends ConsoleLogger {
  private readonly secrets: SecretRedactor;
  private readonly json: boolean;

  constructor(options: ServerLoggerOptions) {
    super({
      json: options.format === 'json',
      logLevels: logLevelsFrom(options.level),
      prefix: 'qingtui',
      flattenParams: true,
      ...(options.format === 'json' ? { colors: false } : {}),
    });
    this.secrets = options.redactor;
    this.json = options.format === 'json';
  }

  /**
   * The logger of the process before the application exists (its start-up errors included),
   * from the raw environment: invalid `LOG_LEVEL`/`LOG_FORMAT` fall back to the defaults here,
   * and the validation then names them.
   */
  static fromEnvironment(env: Record<string, unknown>): ServerLogger {
    const text = (name: string) =>
      typeof env[name] === 'string' ? env[name].trim() || undefined : undefined;
    let settings: { level: ServerLogLevel; format: LogFormat };
    try {
      settings = loggingConfig(text('LOG_LEVEL'), text('LOG_FORMAT'));
    } catch {
      settings = { level: DEFAULT_LOG_LEVEL, format: DEFAULT_LOG_FORMAT };
    }
    return new ServerLogger({ ...settings, redactor: new SecretRedactor(environmentSecrets(env)) });
  }

  protected override getTimestamp(): string {
    return isoTimestamp();
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const { timestamp, level, pid, ...rest } = super.getJsonLogObject(message, options);
    // `time` first, as an ISO string with the zone (Nest writes epoch milliseconds).
    return {
      time: isoTimestamp(new Date(timestamp)),
      level,
      pid,
      ...rest,
    } as unknown as ReturnType<ConsoleLogger['getJsonLogObject']>;
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(
      messages.map((m) => this.secrets.scrubValue(this.resolveMessage(m))),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? this.secrets.scrub(errorStack) : errorStack,
      // Structured fields are for machines (JSON); a pretty line's message already says it.
      this.json && params !== undefined
        ? (this.secrets.scrubValue(params) as Record<string, unknown>)
        : undefined,
    );
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(stack && this.secrets.scrub(stack));
  }
}
