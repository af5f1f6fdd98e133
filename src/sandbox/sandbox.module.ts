import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ServerConfig } from '../config/server-config.interface.js';
import { EmbeddedSandbox } from './embedded-sandbox.js';

/** Provides the `EmbeddedSandbox`: started in sandbox mode, empty otherwise. */
@Module({
  providers: [
    {
      provide: EmbeddedSandbox,
      inject: [ConfigService],
      useFactory: (config: ConfigService<ServerConfig, true>) => {
        const platform = config.get('platform', { infer: true });
        return platform.mode === 'sandbox'
          ? EmbeddedSandbox.start(platform.tokenTtlSeconds)
          : EmbeddedSandbox.none();
      },
    },
  ],
  exports: [EmbeddedSandbox],
})
export class SandboxModule {}
