import { SetMetadata } from '@nestjs/common';

export const JSON_BODY_LIMIT_KEY = 'qingtui-server:json-body-limit';

/**
 * The route reads a JSON body of at most `limitBytes`, parsed by `JsonBodyInterceptor` after the
 * client key is checked. Routes without it never read their body.
 */
export const JsonBody = (limitBytes: number) => SetMetadata(JSON_BODY_LIMIT_KEY, limitBytes);
