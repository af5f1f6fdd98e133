import { QingtuiClients, TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type ServerHarness } from '../support/central-server.harness.js';

/*
 * The repository uses its packages as an application does: `nestjs-qingtui` and
 * `qingtui-sandbox` come from node_modules (npm workspaces) and load their built `dist`, and the
 * server, the tests and Nest share one copy of every class (two copies would break `instanceof`
 * and dependency injection).
 */

const resolve = createRequire(import.meta.url).resolve;
let harness: ServerHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('the workspace packages', () => {
  it('resolve through node_modules to their built dist', () => {
    expect(resolve('nestjs-qingtui')).toMatch(/\/libs\/qingtui\/dist\/index\.js$/);
    expect(resolve('qingtui-sandbox')).toMatch(/\/libs\/qingtui-sandbox\/dist\/index\.js$/);
    expect(resolve('nestjs-qingtui/package.json')).toMatch(/\/libs\/qingtui\/package\.json$/);
  });

  it('are loaded once: the server built from src/ and this test share their classes', async () => {
    harness = await startHarness();
    expect(harness.app.get(TokenService)).toBeInstanceOf(TokenService);
    expect(harness.app.get(QingtuiClients)).toBeInstanceOf(QingtuiClients);
    expect(harness.sandbox).toBeInstanceOf(QingtuiSandbox);
    expect(harness.app.get(TokenService).appNames()).toContain('crm');
  });
});
