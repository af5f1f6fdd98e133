import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { QingtuiModuleOptions } from 'nestjs-qingtui';
import { CallbackIpService, OURS_APP } from '../ours/callback-ip.service.js';
import { OursBenchModule } from '../ours/ours-bench.module.js';
import type { WechatWorkerConfig } from '../wechat-loop.protocol.js';
import type { WechatClient } from './wechat-client.interface.js';

/**
 * The module options of one "ours" process: one WeChat Official Account, tokens shared through
 * Redis under the run's prefix, the WeChat host pointed at the sandbox. Written against the
 * planned shape of WeChat support (`platform: 'wechat-mp'` on the app, a per-platform base URL
 * `baseUrls: { 'wechat-mp': url }`); if the library names them otherwise, this is the only
 * place to change. Built in a variable, so the compiler accepts fields today's options lack.
 */
export function oursModuleOptions(config: WechatWorkerConfig): QingtuiModuleOptions {
  const app = {
    name: OURS_APP,
    platform: 'wechat-mp',
    appId: config.appId,
    appSecret: config.appSecret,
  };
  const options = {
    apps: [app],
    redisUrl: config.redisUrl,
    keyPrefix: config.keyPrefix,
    baseUrls: { 'wechat-mp': config.sandboxUrl },
    // Qingtui's host too, so that nothing of this process ever leaves 127.0.0.1.
    baseUrl: config.sandboxUrl,
  };
  return options;
}

/** nestjs-qingtui: a Nest application context per process, calls through `@InjectQingtuiHttp()`. */
export async function nestjsQingtuiClient(config: WechatWorkerConfig): Promise<WechatClient> {
  const app = await NestFactory.createApplicationContext(
    OursBenchModule.forRoot(oursModuleOptions(config)),
    { logger: ['error', 'warn'] },
  );
  const service = app.get(CallbackIpService);
  return {
    callbackIp: () => service.callbackIp(),
    close: () => app.close(),
  };
}
