import { Inject } from '@nestjs/common';

const TOKEN_PREFIX = 'QingtuiClient:';
/** Default app marker in client injection tokens. */
const DEFAULT_APP = '__default__';

/**
 * Injection token of the typed client of an app (the default Qingtui app when omitted), e.g. to
 * replace a client in a test: `.overrideProvider(getQingtuiClientToken('crm')).useValue(fake)`.
 */
export function getQingtuiClientToken(app?: string): string {
  return `${TOKEN_PREFIX}${app ?? DEFAULT_APP}`;
}

/**
 * Injects the typed client of an app, the one of its platform:
 * `@InjectQingtuiClient('crm') crm: QingtuiClient` (a Qingtui app),
 * `@InjectQingtuiClient('oa') oa: WeComClient` (a WeCom app),
 * `@InjectQingtuiClient('mp') mp: WeChatClient` (a WeChat Official Account).
 * Without a name, the `QingtuiClient` of the default (first configured Qingtui) app. The app
 * must be declared to the module (`apps` of `forRoot()`, or the `clients` option); otherwise
 * Nest reports the unresolved `QingtuiClient:<name>` at start-up.
 */
export function InjectQingtuiClient(app?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getQingtuiClientToken(app));
}
