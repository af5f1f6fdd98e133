import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnvironment } from './validate-environment.js';

/**
 * `ConfigModule`, validated from `env` (`process.env` in `main.ts`, a plain object in tests).
 * ConfigModule's own loading (`.env` file, `process.env`) is turned off so that the caller's
 * environment is the only input; awaiting the result throws the `ConfigValidationError`.
 */
export function serverConfigModule(env: Record<string, unknown>): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    ignoreEnvVars: true,
    skipProcessEnv: true,
    validate: () => validateEnvironment(env),
  });
}
