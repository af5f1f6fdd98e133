import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';

/**
 * Collects every line written through Nest's Logger (and still prints warnings and errors),
 * so that tests can assert what was, and was not, logged.
 */
export class LogCapture implements LoggerService {
  readonly lines: string[] = [];
  private readonly console = new ConsoleLogger();

  log(message: unknown, ...rest: unknown[]): void {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', message, rest);
    if (process.env.SHOW_LOGS) this.console.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.push('warn', message, rest);
    if (process.env.SHOW_LOGS) this.console.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.push('verbose', message, rest);
  }

  /** Installs this capture as Nest's global logger. */
  install(): this {
    Logger.overrideLogger(this);
    return this;
  }

  text(): string {
    return this.lines.join('\n');
  }

  private push(level: string, message: unknown, rest: unknown[]): void {
    const parts = [message, ...rest].map((p) =>
      typeof p === 'string'
        ? p
        : p instanceof Error
          ? `${p.name}: ${p.message}\n${p.stack}`
          : JSON.stringify(p),
    );
    this.lines.push(`${level} ${parts.join(' ')}`);
  }
}
