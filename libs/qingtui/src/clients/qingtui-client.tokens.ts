import { Inject } from '@nestjs/common';

const TOKEN_PREFIX = 'QingtuiClient:';
/** Default app marker in client injection tokens. */
const DEFAULT_APP = '__default__';

/** Injection tokens requested through `@InjectQingtuiClient()`, collected at decoration time. */
export const requestedClientTokens = new Set<string>([getQingtuiClientToken()]);

/** Injection token of the `QingtuiClient` of an app (the default app when omitted). */
export function getQingtuiClientToken(app?: string): string {
  return `${TOKEN_PREFIX}${app ?? DEFAULT_APP}`;
}

/**
 * The app a client injection token stands for: its name, `null` for the default app, or
 * `undefined` when `token` is not a client token at all.
 */
export function appOfClientToken(token: unknown): string | null | undefined {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) return undefined;
  const app = token.slice(TOKEN_PREFIX.length);
  return app === DEFAULT_APP ? null : app;
}

/**
 * Injects the `QingtuiClient` of an app: `@InjectQingtuiClient('crm') crm: QingtuiClient`.
 * Without a name, the client of the default (first configured) app.
 */
export function InjectQingtuiClient(app?: string): ParameterDecorator & PropertyDecorator {
  const token = getQingtuiClientToken(app);
  requestedClientTokens.add(token);
  return Inject(token);
}
