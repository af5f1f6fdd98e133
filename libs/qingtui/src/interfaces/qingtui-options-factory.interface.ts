import type { QingtuiModuleOptions } from './qingtui-module-options.interface.js';

/**
 * A class that builds the module's options, for `QingtuiModule.forRootAsync({ useClass })` or
 * `forRootAsync({ useExisting })`.
 *
 * ```ts
 * @Injectable()
 * class QingtuiConfig implements QingtuiOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createQingtuiOptions(): QingtuiModuleOptions {
 *     return { apps: [{ name: 'crm', appId: this.config.getOrThrow('CRM_APP_ID'), appSecret: ... }] };
 *   }
 * }
 * ```
 */
export interface QingtuiOptionsFactory {
  createQingtuiOptions(): QingtuiModuleOptions | Promise<QingtuiModuleOptions>;
}
