import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import { renameSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AppsFileReloader } from '../../src/config/apps-file.reloader.js';
import {
  ADMIN_KEY,
  CRM_APP,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';

const NEW_SECRET = 'crm-new-secret-DO-NOT-LOG-91b2';
const crm = (appSecret: string, extra: Record<string, unknown> = {}) => ({
  name: 'crm',
  appId: CRM_APP.appId,
  appSecret,
  ...extra,
});

let h: ServerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Replaces the apps file the way editors and deploy tools do: write aside, then rename. */
function replaceAppsFile(path: string, content: unknown): void {
  writeFileSync(`${path}.tmp`, typeof content === 'string' ? content : JSON.stringify(content));
  renameSync(`${path}.tmp`, path);
}

/** Waits for a log line matching `pattern` (the file watch settles for 100 ms). */
async function logged(pattern: RegExp, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = h!.logs.lines.find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`No ${pattern} in:\n${h!.logs.text()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('QINGTUI_APPS_FILE is re-read when it changes', () => {
  it('takes a replaced AppSecret, and never logs it', async () => {
    h = await startHarness();
    const reloader = h.app.get(AppsFileReloader);
    const provider = reloader.secret('crm');
    expect(provider()).toBe(CRM_APP.appSecret);

    replaceAppsFile(h.appsFile, [crm(NEW_SECRET)]);
    const line = await logged(/QINGTUI_APPS_FILE reloaded \(change\): new secret for "crm"/);
    expect(line).toMatch(/used from the next credential fetch/);
    expect(provider()).toBe(NEW_SECRET);
    expect(reloader.currentSecret('default')).toBe(SANDBOX_DEMO_APP.appSecret);
    expect(h.printed()).not.toContain(NEW_SECRET);
    expect(h.printed()).not.toContain(CRM_APP.appSecret);
  });

  it('keeps the previous configuration when the new file is invalid, naming the field', async () => {
    h = await startHarness();
    replaceAppsFile(h.appsFile, [{ name: 'crm', appId: CRM_APP.appId, appSecret: '' }]);
    const line = await logged(/QINGTUI_APPS_FILE/);
    expect(line).toMatch(
      /^error Invalid configuration: QINGTUI_APPS_FILE \(.+\) \[0\]\.appSecret must be a non-empty string \(reloaded on change\); the previous configuration is kept/,
    );
    expect(h.app.get(AppsFileReloader).currentSecret('crm')).toBe(CRM_APP.appSecret);

    replaceAppsFile(h.appsFile, `[{"name":"crm","appSecret":"${NEW_SECRET}"`);
    await logged(/is not valid JSON/);
    expect(h.printed()).not.toContain(NEW_SECRET);
    // Still serving.
    const res = await request(h.app.getHttpServer())
      .get('/apps/crm/token')
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(res.status).toBe(200);
  });

  it('says plainly that apps added or removed, or a changed AppID or quota, need a restart', async () => {
    h = await startHarness();
    const reloader = h.app.get(AppsFileReloader);
    replaceAppsFile(h.appsFile, [
      crm(NEW_SECRET, { dailyQuota: 300 }),
      { name: 'hr', appId: 'hr-app-id', appSecret: 'hr-secret-DO-NOT-LOG' },
    ]);
    const line = await logged(/need|only after a restart/);
    expect(line).toMatch(
      /^warn QINGTUI_APPS_FILE reloaded \(change\): apps added: hr; dailyQuota of "crm" changed\. These take effect only after a restart/,
    );
    // The AppSecret of an app that stays is still taken.
    expect(reloader.currentSecret('crm')).toBe(NEW_SECRET);
    expect(() => reloader.currentSecret('hr')).toThrow();

    h.logs.lines.length = 0;
    replaceAppsFile(h.appsFile, [{ name: 'crm', appId: 'another-app-id', appSecret: NEW_SECRET }]);
    expect(await logged(/only after a restart/)).toContain('AppID of "crm" changed');

    h.logs.lines.length = 0;
    replaceAppsFile(h.appsFile, [{ name: 'hr', appId: 'hr-app-id', appSecret: 'x' }]);
    expect(await logged(/only after a restart/)).toContain('apps removed: crm');
    expect(h.printed()).not.toContain('hr-secret-DO-NOT-LOG');
  });

  it('ignores a rewrite with the same content', async () => {
    h = await startHarness();
    replaceAppsFile(h.appsFile, [crm(CRM_APP.appSecret)]);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.logs.lines.filter((l) => l.includes('QINGTUI_APPS_FILE'))).toEqual([]);
    // SIGHUP (here: its handler) always reports.
    h.app.get(AppsFileReloader).reload('SIGHUP');
    await logged(/QINGTUI_APPS_FILE reloaded \(SIGHUP\): no change/);
  });

  it('a replaced AppSecret takes effect without a restart', async () => {
    // The server starts with a wrong AppSecret for crm: the platform refuses it (40401).
    h = await startHarness({ appsFile: [crm('wrong-secret-for-crm')] });
    const server = h.app.getHttpServer();
    const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
    expect((await request(server).get('/apps/crm/token').set(auth)).status).not.toBe(200);

    replaceAppsFile(h.appsFile, [crm(CRM_APP.appSecret)]);
    await logged(/new secret for "crm", used from the next credential fetch/);
    // Credential errors back off (up to an hour); the new secret must still be tried soon,
    // or at the latest on the next request once the back-off allows it.
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await request(server).get('/apps/crm/token').set(auth)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect(h.printed()).not.toContain('wrong-secret-for-crm');
  });
});
