import { Inject } from '@nestjs/common';

/** Default app marker in client injection tokens. */
const DEFAULT_APP = '__default__';

/** App names requested through `@InjectQingtuiClient()`, collected at decoration time. */
export const requestedClientApps = new Set<string>([DEFAULT_APP]);

/** Injection token of the `QingtuiClient` of an app (the default app when omitted). */
export function getQingtuiClientToken(app?: string): string {
  return `QingtuiClient:${app ?? DEFAULT_APP}`;
}

/** Resolves a token's app name: undefined for the default app. */
export function appOfClientToken(name: string): string | undefined {
  return name === DEFAULT_APP ? undefined : name;
}

/**
 * Injects the `QingtuiClient` of an app: `@InjectQingtuiClient('crm') crm: QingtuiClient`.
 * Without a name, the client of the default (first configured) app.
 */
export function InjectQingtuiClient(app?: string): ParameterDecorator & PropertyDecorator {
  requestedClientApps.add(app ?? DEFAULT_APP);
  return Inject(getQingtuiClientToken(app));
}
