import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { QingtuiModuleOptions } from './interfaces/qingtui-module-options.interface.js';

export const {
  ConfigurableModuleClass: QingtuiConfigurableModule,
  MODULE_OPTIONS_TOKEN: QINGTUI_MODULE_OPTIONS,
  OPTIONS_TYPE: QINGTUI_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: QINGTUI_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<QingtuiModuleOptions>({ moduleName: 'Qingtui' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
