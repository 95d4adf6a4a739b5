import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsResponse, SettingsView } from '../../relay/admin/dto.js';
import { launchBrowser, openDashboard, type DashboardPage } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';

/** GET /admin/settings the way any admin client reads it (the admin token as a bearer). */
async function readSettings(relay: TestRelay, origin = relay.url): Promise<SettingsView> {
  const response = await fetch(`${origin}/admin/settings`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as SettingsResponse | SettingsView;
  return 'settings' in body ? body.settings : body;
}

/** A port nothing listens on right now: the system picks one, and it is closed again. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function group(page: Page, name: string) {
  return page.getByRole('region', { name });
}

describe('the Settings view', () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  const relays: TestRelay[] = [];
  const contexts: DashboardPage['context'][] = [];

  async function relayWithUpstream(): Promise<TestRelay> {
    const relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fast-model'] }]) });
    relays.push(relay);
    return relay;
  }

  async function open(relay: TestRelay): Promise<DashboardPage> {
    const dashboard = await openDashboard(browser, relay, { hash: '#/settings' });
    contexts.push(dashboard.context);
    // A missing element fails the test with its locator instead of hanging until the test times out.
    dashboard.page.setDefaultTimeout(8_000);
    await group(dashboard.page, 'Routing').waitFor();
    return dashboard;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    upstream = await startFakeUpstream();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    for (const relay of relays) await relay.close().catch(() => undefined);
    await upstream?.close();
  });

  it('saves the routing policy on its own, marking the change until it is saved', async () => {
    const relay = await relayWithUpstream();
    const { page, problems } = await open(relay);
    const routing = group(page, 'Routing');
    expect((await readSettings(relay)).routing.policy).toBe('free-first');
    await routing.getByRole('radio', { name: /^Any/ }).check();
    await routing.getByText('Unsaved changes').waitFor();
    // An edit in another group stays (and stays marked) while this one saves.
    const timeouts = group(page, 'Timeouts');
    await timeouts.getByLabel('Idle').fill('90');
    await timeouts.getByText('Unsaved changes').waitFor();
    await routing.getByRole('button', { name: 'Save routing' }).click();
    await routing.getByText('Saved.').waitFor();
    expect(await routing.getByText('Unsaved changes').count()).toBe(0);
    const saved = await readSettings(relay);
    expect(saved.routing.policy).toBe('any');
    // Only the routing group's fields were sent.
    expect(saved.timeouts.idleMs).toBe(120_000);
    expect(await timeouts.getByLabel('Idle').inputValue()).toBe('90');
    expect(await timeouts.getByText('Unsaved changes').count()).toBe(1);
    if (process.env['SCREENSHOTS'] === '1') {
      await mkdir('docs/screenshots', { recursive: true });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: 'docs/screenshots/settings.png' });
    }
    expect(problems).toEqual([]);
  });

  it("shows the relay's own message under an invalid timeout, and saves nothing", async () => {
    const relay = await relayWithUpstream();
    const before = (await readSettings(relay)).timeouts;
    const { page, problems } = await open(relay);
    const timeouts = group(page, 'Timeouts');
    await timeouts.getByLabel('Connect').fill('0.01');
    await timeouts.getByRole('button', { name: 'Save timeouts' }).click();
    const alert = timeouts.getByRole('alert');
    await alert.waitFor();
    expect(((await alert.textContent()) ?? '').trim().length).toBeGreaterThan(0);
    expect(await timeouts.getByText('Unsaved changes').count()).toBe(1);
    expect((await readSettings(relay)).timeouts).toEqual(before);
    // Chromium itself may log the 400 answer to the console; nothing else may be there.
    expect(problems.filter((problem) => problem !== 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)')).toEqual([]);
  });

  it('switches to the dark theme at once, saves it, and keeps it after a reload and in a new browser', async () => {
    const relay = await relayWithUpstream();
    const { page, problems } = await open(relay);
    await group(page, 'Appearance').getByRole('radio', { name: 'Dark' }).check();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    await expect.poll(async () => (await readSettings(relay)).ui.theme).toBe('dark');

    await page.reload();
    await group(page, 'Routing').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(await group(page, 'Appearance').getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);

    // A browser that never saw the choice gets it from the relay's settings.
    const fresh = await open(relay);
    await expect.poll(() => fresh.page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(problems).toEqual([]);
    expect(fresh.problems).toEqual([]);
  });

  it('asks for a relay token before exposing the relay to the network, and shows a new one once', async () => {
    const relay = await relayWithUpstream();
    const { page, problems } = await open(relay);
    const server = group(page, 'Server');
    expect((await readSettings(relay)).server.tokenSet).toBe(false);
    await server.getByText('Reachable from other machines on my network').click();
    expect(await server.getByRole('alert').textContent()).toContain('needs a relay token');
    expect(await server.getByRole('note').textContent()).toContain('networks you trust');
    expect(await server.getByRole('button', { name: 'Save server' }).isDisabled()).toBe(true);

    await server.getByRole('button', { name: 'Generate token' }).click();
    const token = (await server.getByTestId('relay-token-value').textContent()) ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await server.getByTestId('relay-token').textContent()).toContain('Authorization: Bearer');
    await expect.poll(async () => (await readSettings(relay)).server.tokenSet).toBe(true);
    // Clients now need exactly that token.
    expect((await fetch(`${relay.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${relay.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await server.getByRole('button', { name: 'Save server' }).isDisabled()).toBe(false);
    expect(problems).toEqual([]);
  });

  it('moves the page to the new port after a port change, and the dashboard works there', async () => {
    const relay = await relayWithUpstream();
    const port = await freePort();
    const { page, problems } = await open(relay);
    const server = group(page, 'Server');
    await server.getByLabel('Port').fill(String(port));
    await server.getByRole('button', { name: 'Save server' }).click();
    await page.waitForURL(`http://127.0.0.1:${port}/#/settings`);
    await group(page, 'Server').getByText(`Listening on http://127.0.0.1:${port}`).waitFor();
    await page.getByTestId('auto-fastest-route').waitFor();
    expect(await page.getByTestId('auto-fastest-route').textContent()).toBe('fake/fast-model');
    expect((await readSettings(relay, `http://127.0.0.1:${port}`)).server.port).toBe(port);
    expect(problems).toEqual([]);
  });
});
