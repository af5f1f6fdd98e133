import { Module } from '@nestjs/common';
import { AppsFileReloader } from './apps-file.reloader.js';

/** Provides the `AppsFileReloader`: the AppSecrets of the configured apps, kept current. */
@Module({ providers: [AppsFileReloader], exports: [AppsFileReloader] })
export class AppsConfigModule {}
