import {
  BadRequestException,
  HttpStatus,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';

/** The first problem of a failed validation: the field's dotted path and its first message. */
function firstProblem(errors: ValidationError[], parent = ''): { field: string; message: string } {
  const error = errors[0];
  const field = parent === '' ? error.property : `${parent}.${error.property}`;
  const message = Object.values(error.constraints ?? {})[0];
  if (message === undefined && error.children?.length) return firstProblem(error.children, field);
  return { field, message: message ?? `${field} is invalid` };
}

/**
 * The global `ValidationPipe`: strips properties no DTO declares, and answers the first
 * problem as `{ statusCode: 400, error, message, field }`, like the library's validation errors.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    // One message per field: the first rule it breaks, in the order the DTO declares them.
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const { field, message } = firstProblem(errors);
      return new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message,
        field,
      });
    },
  });
}
