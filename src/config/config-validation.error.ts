/**
 * The environment does not describe a usable server. `variable` names the offending
 * environment variable; the message says what is wrong and never repeats a secret.
 */
export class ConfigValidationError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigValidationError';
  }
}
