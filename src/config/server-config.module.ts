import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { ServerConfig } from './server-config.interface.js';

/**
 * `ConfigModule` holding an already validated `ServerConfig` (see `validateEnvironment`).
 * ConfigModule's own loading (`.env` file, `process.env`) is turned off so that the caller's
 * environment is the only input.
 */
export function serverConfigModule(config: ServerConfig): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    ignoreEnvVars: true,
    skipProcessEnv: true,
    validate: () => config,
  });
}
