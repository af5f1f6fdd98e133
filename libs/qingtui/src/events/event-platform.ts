import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';

/**
 * The `platform` of an app's events and metric labels (`qingtui`, `wechat-mp`, `wecom`): the one
 * place that decides it, from the app's resolved options.
 */
export function eventPlatformOf(options: ResolvedQingtuiOptions, app: string): string {
  return options.apps.find((a) => a.name === app)?.platform ?? 'unknown';
}
