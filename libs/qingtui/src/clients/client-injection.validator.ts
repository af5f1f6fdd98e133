import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { TokenService } from '../token/token.service.js';
import { appOfClientToken } from './qingtui-client.tokens.js';

/**
 * Fails start-up when a class of this application injects `@InjectQingtuiClient('x')` and this
 * module has no app `x`. (Client providers are created for every requested name, because
 * decorators cannot know which module will serve them; this check restores fail-fast.)
 */
@Injectable()
export class ClientInjectionValidator implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly tokens: TokenService,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const type = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (typeof type !== 'function') continue;
      const params = (Reflect.getMetadata('self:paramtypes', type) ?? []) as { param: unknown }[];
      const props = (Reflect.getMetadata('self:properties_metadata', type) ?? []) as {
        type: unknown;
      }[];
      for (const token of [...params.map((p) => p.param), ...props.map((p) => p.type)]) {
        const app = appOfClientToken(token);
        if (typeof app === 'string' && !this.tokens.hasApp(app)) {
          throw new QingtuiConfigError(
            'apps',
            `has no app named "${app}" (requested by @InjectQingtuiClient in ${type.name})`,
          );
        }
      }
    }
  }
}
