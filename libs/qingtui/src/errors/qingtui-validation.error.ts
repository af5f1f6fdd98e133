import { QingtuiError } from './qingtui.error.js';

/**
 * A message, a target or a call argument was refused before anything was sent. `field` is its
 * path in the platform's wire naming (`message.title`, `to_users[3]`,
 * `message.content_list[0].text`), `problem` says what is wrong and the limit.
 */
export class QingtuiValidationError extends QingtuiError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Invalid Qingtui request: ${field} ${problem}`);
  }
}
