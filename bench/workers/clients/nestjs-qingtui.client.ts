import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { QingtuiModuleOptions } from 'nestjs-qingtui';
import { CallbackIpService, OURS_APP } from '../ours/callback-ip.service.js';
import { OursBenchModule } from '../ours/ours-bench.module.js';
import type { WechatWorkerConfig } from '../wechat-loop.protocol.js';
import type { WechatClient } from './wechat-client.interface.js';

/**
 * The module options of one "ours" process: one WeChat Official Account (`/cgi-bin/token`),
 * tokens shared through Redis under the run's prefix, the WeChat host pointed at the sandbox,
 * and the sandbox's compressed overlap as the platform's rule (the library renews no earlier than
 * `expires_at − overlap`, so that the previous token outlives its own expiry).
 */
export function oursModuleOptions(config: WechatWorkerConfig): QingtuiModuleOptions {
  return {
    apps: [
      { name: OURS_APP, platform: 'wechat-mp', appId: config.appId, appSecret: config.appSecret },
    ],
    redisUrl: config.redisUrl,
    keyPrefix: config.keyPrefix,
    // Every platform's host, so that nothing of this process ever leaves 127.0.0.1.
    baseUrls: {
      qingtui: config.sandboxUrl,
      'wechat-mp': config.sandboxUrl,
      wecom: config.sandboxUrl,
    },
    platformRules: { 'wechat-mp': { tokenOverlapMs: config.tokenOverlapMs } },
  };
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
