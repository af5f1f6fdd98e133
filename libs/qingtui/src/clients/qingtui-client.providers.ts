import type { FactoryProvider } from '@nestjs/common';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { TokenService } from '../token/token.service.js';
import { getQingtuiClientToken } from './qingtui-client.tokens.js';
import { QingtuiClients } from './qingtui-clients.service.js';

/**
 * One client provider per declared app (the client of its platform: `QingtuiClient`,
 * `WeChatClient` or `WeComClient`), plus the default Qingtui app's. Declared statically so that
 * an injection of an undeclared app fails through Nest's own dependency resolution.
 */
export function qingtuiClientProviders(apps: Iterable<string>): FactoryProvider<unknown>[] {
  const named = [...new Set(apps)].map((app): FactoryProvider<unknown> => ({
    provide: getQingtuiClientToken(app),
    inject: [QingtuiClients, TokenService],
    useFactory: (clients: QingtuiClients, tokens: TokenService) => {
      if (!tokens.hasApp(app)) {
        throw new QingtuiConfigError(
          'clients',
          `names "${app}", which is not a configured app (configured: ${tokens.appNames().join(', ')})`,
        );
      }
      return clients.of(app);
    },
  }));
  const byDefault: FactoryProvider<unknown> = {
    provide: getQingtuiClientToken(),
    inject: [QingtuiClients],
    useFactory: (clients: QingtuiClients) => clients.getDefault(),
  };
  return [byDefault, ...named];
}
