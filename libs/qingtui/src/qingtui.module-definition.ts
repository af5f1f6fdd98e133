import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { QingtuiModuleOptions } from './interfaces/qingtui-module-options.interface.js';

/**
 * Options of `forRoot()`/`forRootAsync()` that shape the module itself rather than the tokens.
 * They stay out of the options object (the options factory of `forRootAsync` never sees them).
 */
export interface QingtuiModuleExtras {
  /**
   * Register the module globally: its exports (`TokenService`, `QingtuiClients`, the clients,
   * the HTTP instance) can be injected in every module of the application.
   * @default false
   */
  isGlobal: boolean;
  /**
   * Apps whose typed client (`QingtuiClient`, `WeChatClient` or `WeComClient`, by the app's
   * platform) can be injected with `@InjectQingtuiClient('name')`. With
   * `forRoot()`, every app of `apps` (or `centralServer.apps`) already is; with `forRootAsync()`,
   * whose app names are known only once the factory has run, list them here. The default app's
   * client (`@InjectQingtuiClient()`) always is. A name that is not a configured app fails at
   * start-up; injecting a client that is not declared fails through Nest's own resolution.
   * @default []
   */
  clients: string[];
}

export const {
  ConfigurableModuleClass: QingtuiConfigurableModule,
  MODULE_OPTIONS_TOKEN: QINGTUI_MODULE_OPTIONS,
  OPTIONS_TYPE: QINGTUI_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: QINGTUI_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<QingtuiModuleOptions>({ moduleName: 'Qingtui' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createQingtuiOptions')
  .setExtras<QingtuiModuleExtras>({ isGlobal: false, clients: [] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
