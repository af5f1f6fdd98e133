import { QingtuiError } from './qingtui.error.js';

/** Invalid module options, found at start-up. `field` names the offending option. */
export class QingtuiConfigError extends QingtuiError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid Qingtui configuration: "${field}" ${problem}`);
  }
}
