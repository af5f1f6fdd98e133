/**
 * Texts of the `QingtuiValidationError`s the send endpoint's parser raises for the shape of a
 * request (the library's own validation of the message follows). Each follows the field path
 * in the error message ("message.title must be a string").
 */
export const sendRequestMessages = {
  required: () => 'is required and must not be empty',
  notString: () => 'must be a string',
  notNumber: () => 'must be a finite number',
  notBoolean: () => 'must be a boolean',
  notObject: () => 'must be an object',
  notArray: () => 'must be an array',
  unknownType: (value: unknown, allowed: readonly string[]) =>
    `is ${JSON.stringify(value)}; allowed message types are ${allowed.join(', ')}`,
  unknownField: (allowed: readonly string[]) =>
    `is not a known field here; expected ${allowed.join(', ')}`,
};
