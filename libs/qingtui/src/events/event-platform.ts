import type { ResolvedQingtuiOptions } from '../config/resolved-options.js';
import { QINGTUI_PLATFORM_NAME } from '../qingtui.constants.js';

/**
 * The `platform` of an app's events and metric labels. The one place that decides it: every app
 * of this module is a Qingtui app today; once apps name their platform (WeChat, WeCom), this
 * function reads it from `options`.
 */
export function eventPlatformOf(_options: ResolvedQingtuiOptions, _app: string): string {
  return QINGTUI_PLATFORM_NAME;
}
