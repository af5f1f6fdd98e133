import { type DynamicModule, Module } from '@nestjs/common';
import { SecretRedactor } from './secret-redactor.js';

/**
 * Makes the logger's `SecretRedactor` injectable (global), so that secrets learned after
 * start-up (AppSecrets of a reloaded apps file) are redacted too.
 */
@Module({})
export class LoggingModule {
  static register(redactor: SecretRedactor): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [{ provide: SecretRedactor, useValue: redactor }],
      exports: [SecretRedactor],
    };
  }
}
