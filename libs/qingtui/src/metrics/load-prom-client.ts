import { QingtuiConfigError } from '../errors/qingtui-config.error.js';

/** prom-client, as the library uses it. */
export type PromClient = typeof import('prom-client');

/**
 * prom-client, an optional peer: loaded only when the `metrics` option asks for metrics, so that
 * an application without it compiles and runs.
 * @throws QingtuiConfigError naming `metrics` and the package to install, when it is missing
 */
export async function loadPromClient(): Promise<PromClient> {
  try {
    return await import('prom-client');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new QingtuiConfigError(
      'metrics',
      'needs the optional package prom-client, which is not installed: npm install prom-client',
    );
  }
}
