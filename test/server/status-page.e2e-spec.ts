import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT, BuiltServer } from '../support/built-server.js';
import {
  ADMIN_KEY,
  CRM_APP,
  CRM_KEY,
  SECRETS,
  serverEnv,
  startPlatform,
  writeAppsFile,
} from '../support/central-server.harness.js';

/**
 * Issue 10, point 3: the status page as a person sees it, in a real browser (Debian's chromium
 * driven by playwright-core; `.ci/run` installs it), against the built server.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Chromium with a fresh profile (Playwright's `launch` gives it a new temporary user-data-dir,
 * removed when it closes), closed after the test.
 */
async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  cleanups.push(() => browser.close());
  return browser;
}

/** A browsing session (cookies, cached credentials) of its own. */
function session(
  browser: Browser,
  httpCredentials?: { username: string; password: string },
): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1100, height: 640 }, httpCredentials });
}

function start(env: Record<string, string>): BuiltServer {
  const server = new BuiltServer({ PORT: '0', ...env });
  cleanups.push(() => server.kill());
  return server;
}

const card = (page: Page, app: string) => page.locator(`article[data-app="${app}"]`);
const field = (page: Page, app: string, name: string) =>
  card(page, app).locator(`[data-field="${name}"]`);

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

describe.skipIf(!BUILT)('the status page in a browser', () => {
  it('in sandbox mode: opens from the banner without a key, shows the app, and follows its renewal', async () => {
    const server = start({ QINGTUI_SANDBOX_TOKEN_TTL: '6' });
    const [, link] = await server.waitFor(
      /Status page \(opens without a key in sandbox mode\): (http:\S+)/,
    );
    const [, key] = await server.waitFor(/Development client key[^\n]*\n\s+(dev-\S+)/);
    const base = await server.url();
    const url = link.replace('http://localhost:', 'http://127.0.0.1:');
    expect(url).toBe(`${base}/status`);

    const page = await (await session(await launch())).newPage();
    const answers: string[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/status/data'))
        void response.text().then((t) => answers.push(t));
    });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);

    await expect.poll(() => page.locator('#mode').textContent()).toBe('SANDBOX');
    await expect.poll(() => card(page, 'default').locator('h2').textContent()).toBe('default');
    expect(await card(page, 'default').locator('.platform').textContent()).toBe('qingtui');
    expect(await field(page, 'default', 'state').textContent()).toBe('valid');
    const bar = page.getByRole('progressbar', { name: 'Time left for default' });
    expect(await bar.getAttribute('aria-valuemax')).toBe('6');
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(await field(page, 'default', 'left').textContent()).toMatch(
      /^\d s left of 6 s \(expires /,
    );
    expect(await field(page, 'default', 'generation').textContent()).toBe('1');
    expect(await field(page, 'default', 'origin').textContent()).toBe('AppSecret (/v1/token)');
    expect(await field(page, 'default', 'quota').textContent()).toBe('1 (no daily quota)');
    expect(await field(page, 'default', 'next').textContent()).toMatch(/^in \d s \(/);
    expect(await field(page, 'default', 'error').textContent()).toBe('none');
    expect(await page.locator('#store').textContent()).toBe('memory (this process only): ok');

    // The token is renewed at 80% of its 6 s lifetime: the page shows it by itself, the bar
    // running down, then full again.
    let lowest = Infinity;
    await expect
      .poll(
        async () => {
          const generation = await field(page, 'default', 'generation').textContent();
          if (generation === '1') {
            lowest = Math.min(lowest, Number(await bar.getAttribute('aria-valuenow')));
          }
          return generation;
        },
        { timeout: 9_000, interval: 200 },
      )
      .toBe('2');
    expect(lowest).toBeLessThanOrEqual(2);
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(3);
    expect(await field(page, 'default', 'origin').textContent()).toBe(
      'refresh_token (/auth/autoRefreshToken)',
    );
    expect(await field(page, 'default', 'quota').textContent()).toBe('2 (no daily quota)');
    expect(await field(page, 'default', 'state').textContent()).toMatch(/^valid/);
    await screenshot(page, 'status.png');

    // What a person could read or copy holds no token.
    const token = (
      (await (
        await fetch(`${base}/apps/default/token`, { headers: { Authorization: `Bearer ${key}` } })
      ).json()) as { access_token: string }
    ).access_token;
    const shown = (await page.content()) + answers.join('\n');
    expect(answers.length).toBeGreaterThan(1);
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(key);
    expect(shown).not.toMatch(/eyJ[\w-]{10,}\./);
  }, 40_000);

  it('in a real deployment: refused without a key, shown to a browser signed in with a client key', async () => {
    const { sandbox, url: platformUrl } = await startPlatform();
    const apps = writeAppsFile([
      { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
      // An app whose AppSecret the platform refuses: how a person sees a failure.
      { name: 'hr', appId: 'hr-app-id', appSecret: 'a-wrong-secret-DO-NOT-SHOW' },
    ]);
    cleanups.push(() => sandbox.stop(), apps.cleanup);
    const server = start({
      ...serverEnv(platformUrl, apps.path),
      QINGTUI_DAILY_QUOTA: 'free-unverified',
    });
    const url = `${await server.url()}/status`;

    // Without credentials the server asks for them (HTTP Basic), and a browser that has none
    // (a person cancelling the prompt) shows nothing of the page.
    const browser = await launch();
    const anonymousContext = await session(browser);
    const refused = await anonymousContext.request.get(url);
    expect(refused.status()).toBe(401);
    expect(refused.headers()['www-authenticate']).toBe(
      'Basic realm="Qingtui token server status", charset="UTF-8"',
    );
    const anonymous = await anonymousContext.newPage();
    await expect(anonymous.goto(url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect(await anonymous.locator('article').count()).toBe(0);

    const page = await (await session(browser, { username: 'ops', password: ADMIN_KEY })).newPage();
    expect((await page.goto(url))?.status()).toBe(200);
    await expect
      .poll(() => page.locator('article h2').allTextContents())
      .toEqual(['default', 'crm', 'hr']);
    expect(await page.locator('#mode').textContent()).toBe('platform');
    expect(await field(page, 'default', 'quota').textContent()).toBe('1 of 300 (0%)');
    const quota = page.getByRole('progressbar', { name: 'Daily quota used by default' });
    expect(await quota.getAttribute('aria-valuenow')).toBe('1');
    expect(await quota.getAttribute('aria-valuemax')).toBe('300');
    expect(await field(page, 'crm', 'quota').textContent()).toBe('1 (no daily quota)');
    expect(
      await page
        .getByRole('progressbar', { name: 'Time left for crm' })
        .getAttribute('aria-valuemax'),
    ).toBe('7200');
    expect(await field(page, 'hr', 'state').textContent()).toBe('held back (credentials)');
    expect(await field(page, 'hr', 'error').textContent()).toMatch(
      /^credential \d+: .+, 1 failed in a row\); calls held back until /,
    );
    expect(await field(page, 'hr', 'left').textContent()).toBe('No token yet');
    // It keeps refreshing with the browser's credentials (no key in any URL).
    const refreshed = await page.waitForResponse((r) => r.url().endsWith('/status/data'));
    expect(refreshed.status()).toBe(200);
    await screenshot(page, 'status-platform.png');
    const shown = (await page.content()) + (await refreshed.text());
    for (const secret of [...SECRETS, 'a-wrong-secret-DO-NOT-SHOW'])
      expect(shown).not.toContain(secret);
    expect(shown).not.toContain(sandbox.currentToken(CRM_APP.appId)!);

    // A key scoped to crm sees crm only.
    const scoped = await (
      await session(browser, { username: 'crm-team', password: CRM_KEY })
    ).newPage();
    await scoped.goto(url);
    await expect.poll(() => scoped.locator('article h2').allTextContents()).toEqual(['crm']);

    // The key in the URL (http://user:key@host/status), as people paste it: no script error.
    const inUrl = await (await session(browser)).newPage();
    const errors: string[] = [];
    inUrl.on('pageerror', (error) => errors.push(error.message));
    const withKey = url.replace('http://', `http://ops:${ADMIN_KEY}@`);
    expect((await inUrl.goto(withKey))?.status()).toBe(200);
    await expect
      .poll(() => inUrl.locator('article h2').allTextContents())
      .toEqual(['default', 'crm', 'hr']);
    await inUrl.waitForResponse((r) => r.url().endsWith('/status/data'));
    expect(await inUrl.locator('#problem').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    expect(await field(inUrl, 'default', 'origin').textContent()).toBe('AppSecret (/v1/token)');
  }, 40_000);
});
