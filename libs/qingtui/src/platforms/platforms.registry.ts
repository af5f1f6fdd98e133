import type { TokenPlatform } from './platform.interface.js';
import { qingtuiPlatform } from './qingtui/qingtui.platform.js';
import { wechatMpPlatform } from './wechat-mp/wechat-mp.platform.js';
import { wecomPlatform } from './wecom/wecom.platform.js';

/**
 * Every token platform the library supports: the one registration list. A platform added here
 * (its folder holding a `TokenPlatform`) is accepted in `apps` (`platform: '<name>'`), in
 * `baseUrls` and `platformRules`, in store keys and by the interceptor, with nothing else
 * changed. The first one is the platform of an app that names none.
 */
export const TOKEN_PLATFORMS = [qingtuiPlatform, wechatMpPlatform, wecomPlatform] as const;

type Registered = (typeof TOKEN_PLATFORMS)[number];

/** The name of a supported platform: `'qingtui' | 'wechat-mp' | 'wecom'`. */
export type QingtuiPlatformName = Registered['name'];

/** The app configuration of each supported platform, by name. */
export type PlatformAppConfigs = {
  [P in Registered as P['name']]: NonNullable<P['appConfig']>;
};

/** The tunable rules of each supported platform, by name. */
export type PlatformRulesByName = {
  [P in Registered as P['name']]?: Partial<ReturnType<P['resolveRules']>>;
};

const BY_NAME: ReadonlyMap<string, TokenPlatform> = new Map(
  TOKEN_PLATFORMS.map((platform) => [platform.name, platform as TokenPlatform]),
);

/** The platform an app without `platform` belongs to. */
export const DEFAULT_PLATFORM: TokenPlatform = TOKEN_PLATFORMS[0];

/** The registered platform of that name, or undefined. */
export function findPlatform(name: string): TokenPlatform | undefined {
  return BY_NAME.get(name);
}

/** The registered platform of that name. @throws Error for an unknown name (a bug: names are validated at start-up). */
export function platformNamed(name: string): TokenPlatform {
  const platform = BY_NAME.get(name);
  if (platform === undefined) throw new Error(`No token platform "${name}" is registered`);
  return platform;
}

/** Names of the registered platforms. */
export function platformNames(): string[] {
  return [...BY_NAME.keys()];
}
