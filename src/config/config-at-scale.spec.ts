import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigService } from '@nestjs/config';
import type { ModuleRef } from '@nestjs/core';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { AppsFileReloader } from './apps-file.reloader.js';
import { mergeApps } from './merge-apps.js';
import type { QingtuiServerApp, ServerAppEntry, ServerConfig } from './server-config.interface.js';
import { validateEnvironment } from './validate-environment.js';

const N = 10_000;
const entry = (i: number, secret = `secret-of-app-${i}-0123456789`): QingtuiServerApp => ({
  platform: 'qingtui',
  name: `app-${i}`,
  appId: `qt${String(i).padStart(8, '0')}`,
  appSecret: secret,
});

/**
 * The entries wrapped so that every property read is counted: an algorithm that compares each
 * entry with every other one reads O(N²) properties, a linear one a few per entry.
 */
function counted(entries: ServerAppEntry[]): { apps: ServerAppEntry[]; reads: () => number } {
  let reads = 0;
  const apps = entries.map(
    (app) =>
      new Proxy(app, {
        get(target, property, receiver) {
          reads += 1;
          return Reflect.get(target, property, receiver) as unknown;
        },
      }),
  );
  return { apps, reads: () => reads };
}

const dir = mkdtempSync(join(tmpdir(), 'qingtui-scale-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration of 10,000 apps (issue 18.6)', () => {
  it('merges and checks them in linear time: a few property reads per app', () => {
    const { apps, reads } = counted(Array.from({ length: N }, (_, i) => entry(i)));
    const merged = mergeApps(entry(-1), apps);
    expect(merged).toHaveLength(N + 1);
    // Each entry is read a constant number of times (name, platform, appId...), never per pair.
    expect(reads()).toBeLessThan(10 * N);
  });

  it('still refuses a name or an identity used twice, naming the index', () => {
    const apps = Array.from({ length: N }, (_, i) => entry(i));
    expect(() => mergeApps(undefined, [...apps, { ...entry(N), name: 'app-17' }])).toThrow(
      `[${N}].name "app-17" is already used by another entry`,
    );
    expect(() => mergeApps(undefined, [...apps, { ...entry(42), name: 'twin' }])).toThrow(
      `[${N}].appId is already the AppID of app "app-42"`,
    );
    expect(() => mergeApps(entry(3), apps)).toThrow(
      '[3].name "app-3" is already used by QINGTUI_APP_ID',
    );
  });

  it('validates an apps file of 10,000 apps from the environment', () => {
    const file = join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify(Array.from({ length: N }, (_, i) => entry(i))));
    const config = validateEnvironment({ QINGTUI_APPS_FILE: file, API_KEYS: 'k'.repeat(20) });
    expect(config.platform.mode === 'platform' && config.platform.apps.length).toBe(N);
  });

  it('replacing one AppSecret among 10,000 touches that app only', () => {
    const file = join(dir, 'reload.json');
    const apps = Array.from({ length: N }, (_, i) => entry(i));
    writeFileSync(file, JSON.stringify(apps));
    const config = validateEnvironment({ QINGTUI_APPS_FILE: file, API_KEYS: 'k'.repeat(20) });
    const platform = config.platform;
    if (platform.mode !== 'platform') throw new Error('expected platform mode');
    const { apps: running, reads } = counted(platform.apps as ServerAppEntry[]);
    const changed: (string | undefined)[] = [];
    const added: string[] = [];
    const redactor = new SecretRedactor();
    const add = redactor.add.bind(redactor);
    redactor.add = (value: string) => {
      added.push(value);
      add(value);
    };
    const reloader = new AppsFileReloader(
      {
        get: () => ({ ...platform, apps: running }),
      } as unknown as ConfigService<ServerConfig, true>,
      {
        get: () => ({ credentialsChanged: (app?: string) => changed.push(app) }),
      } as unknown as ModuleRef,
      redactor,
    );
    const provider = reloader.secret('app-5000');
    const before = reads();

    apps[5000] = entry(5000, 'the-new-secret-of-app-5000');
    writeFileSync(file, JSON.stringify(apps));
    const outcome = reloader.reload('SIGHUP');

    expect(outcome).toEqual({ replaced: ['app-5000'], needRestart: [], rejected: false });
    expect(changed).toEqual(['app-5000']);
    expect(added).toEqual(['the-new-secret-of-app-5000']);
    expect(provider()).toBe('the-new-secret-of-app-5000');
    expect(reloader.currentSecret('app-4999')).toBe(entry(4999).appSecret);
    // Comparing the new file with the running apps reads each running app a few times.
    expect(reads() - before).toBeLessThan(10 * N);
    // The new secret is redacted at once, and the others still are.
    expect(redactor.scrub('x the-new-secret-of-app-5000 y')).toBe('x *** y');
  });

  it('reports apps added among 10,000 in linear time', () => {
    const file = join(dir, 'added.json');
    const apps = Array.from({ length: N }, (_, i) => entry(i));
    writeFileSync(file, JSON.stringify(apps));
    const config = validateEnvironment({ QINGTUI_APPS_FILE: file, API_KEYS: 'k'.repeat(20) });
    const platform = config.platform;
    if (platform.mode !== 'platform') throw new Error('expected platform mode');
    const { apps: running, reads } = counted(platform.apps as ServerAppEntry[]);
    const reloader = new AppsFileReloader(
      { get: () => ({ ...platform, apps: running }) } as unknown as ConfigService<
        ServerConfig,
        true
      >,
      { get: () => ({ credentialsChanged: () => undefined }) } as unknown as ModuleRef,
    );
    const before = reads();
    writeFileSync(file, JSON.stringify([...apps, entry(N), entry(N + 1)]));
    const outcome = reloader.reload('SIGHUP');
    expect(outcome.needRestart).toEqual([`apps added: app-${N}, app-${N + 1}`]);
    expect(reads() - before).toBeLessThan(10 * N);
  });
});
