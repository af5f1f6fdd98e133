import { Inject } from '@nestjs/common';

/** Injection token of the module's own `HttpService` (token injection and healing on). */
export const QINGTUI_HTTP = Symbol('QINGTUI_HTTP');

/**
 * Injects the module's `HttpService`, for platform endpoints the typed client does not wrap.
 * Pass `{ qingtui: { app: 'crm' } }` in the request config to get the app's token added and
 * token errors healed.
 */
export const InjectQingtuiHttp = (): ParameterDecorator & PropertyDecorator => Inject(QINGTUI_HTTP);
