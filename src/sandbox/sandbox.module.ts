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
      useFactory: (config: ConfigService<ServerConfig, true>) =>
        config.get('platform', { infer: true }).mode === 'sandbox'
          ? EmbeddedSandbox.start()
          : EmbeddedSandbox.none(),
    },
  ],
  exports: [EmbeddedSandbox],
})
export class SandboxModule {}
