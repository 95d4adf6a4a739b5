import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigExportResponse, ProvidersResponse } from '../../relay/admin/dto.js';
import { launchBrowser, openDashboard, type DashboardPage } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';
import { exists, tempHome, writeClientFile, type TempHome } from '../relay/integrations/temp-home.js';

const PROVIDER_KEY = 'sk-provider-key-for-export-9876';
const RELAY_TOKEN = 'relay-token-dashboard-tests-4321';
const PASSPHRASE = 'a long passphrase';
/** The user's own OpenCode settings, there before Switchboard: undo must bring back exactly these bytes. */
const ORIGINAL_OPENCODE = '{\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "tokyonight"\n}\n';
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots/integrations.png');

async function providersOf(relay: TestRelay): Promise<ProvidersResponse['providers']> {
  const response = await fetch(`${relay.url}/admin/providers`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } });
  return ((await response.json()) as ProvidersResponse).providers;
}

/** A token from the source relay's admin API (the Export form has its own test). */
async function exportedToken(relay: TestRelay, passphrase?: string): Promise<string> {
  const response = await fetch(`${relay.url}/admin/config/export`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.relay.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(passphrase === undefined ? { includeKeys: false } : { includeKeys: true, passphrase }),
  });
  return ((await response.json()) as ConfigExportResponse).token;
}

async function lineTexts(locator: Locator): Promise<string[]> {
  return locator.allTextContents();
}

// Whole journeys through a real relay and browser, some with scrypt: generous when the machine is busy.
describe('the Integrations view', { timeout: 45_000 }, () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  let home: TempHome;
  let relay: TestRelay;
  let opencodeFile: string;
  const opened: DashboardPage[] = [];

  async function open(target: TestRelay = relay): Promise<DashboardPage> {
    const dashboard = await openDashboard(browser, target, { hash: '#/integrations' });
    opened.push(dashboard);
    await dashboard.page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    return dashboard;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    upstream = await startFakeUpstream();
    home = await tempHome();
    opencodeFile = join(home.home, '.config', 'opencode', 'opencode.json');
    // Client files resolve in the relay's environment: a temporary HOME, never the real one.
    relay = await startTestRelay({
      config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fast-model'], keys: [{ id: 'fake-key', label: 'main' }] }]),
      secrets: { 'fake-key': PROVIDER_KEY, 'relay-token': RELAY_TOKEN },
      env: { HOME: home.home, USERPROFILE: home.home, PATH: home.bin },
    });
  });

  afterEach(async () => {
    for (const dashboard of opened.splice(0)) await dashboard.context.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await upstream?.close();
    await home?.cleanup();
  });

  it('configures OpenCode from its card, offers a repair after another port was written, and undoes to the original bytes', async () => {
    await writeClientFile(opencodeFile, ORIGINAL_OPENCODE);
    const { page, problems, httpErrors } = await open();
    const card = page.getByTestId('integration-opencode');
    await card.getByText('Not configured', { exact: true }).waitFor();
    expect(await card.textContent()).toContain(opencodeFile);

    // Configure…: the preview is the diff of the file, with the relay token masked.
    await card.getByRole('button', { name: 'Configure…' }).click();
    const diff = card.getByTestId('diff');
    await diff.waitFor();
    const added = await lineTexts(diff.locator('.line.add'));
    expect(added).toContain('+    "switchboard": {');
    expect(added).toContain('+      "npm": "@ai-sdk/openai-compatible",');
    expect(added.some((line) => line.includes(`"baseURL": "${relay.url}/v1"`))).toBe(true);
    expect(added.some((line) => line.includes(`"apiKey": "…${RELAY_TOKEN.slice(-4)}"`))).toBe(true);
    expect(await diff.textContent()).not.toContain(RELAY_TOKEN);
    expect(await diff.locator('.line.header').count()).toBe(2);
    expect(await readFile(opencodeFile, 'utf8')).toBe(ORIGINAL_OPENCODE);

    await card.getByLabel('Also make auto-fastest the default model').check();
    await expect.poll(async () => (await lineTexts(diff.locator('.line.add'))).some((line) => line.includes('"model": "switchboard/auto-fastest"'))).toBe(true);
    if (process.env['SCREENSHOTS'] === '1') {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    }
    await card.getByRole('button', { name: 'Apply' }).click();
    await card.getByText('Configured ✓', { exact: true }).waitFor();
    expect(await card.getByRole('status').filter({ hasText: 'Written' }).textContent()).toContain(`${opencodeFile}.switchboard-backup`);
    expect(await card.getByTestId('integration-port').textContent()).toBe(String(relay.port));
    expect(await card.textContent()).toContain('through Switchboard');
    const written = await readFile(opencodeFile, 'utf8');
    expect(written).toContain(`"baseURL": "${relay.url}/v1"`);
    expect(written).toContain(`"apiKey": "${RELAY_TOKEN}"`);
    expect(written).toContain('"theme": "tokyonight"');

    // Another tool points our entry at another port: after a reload the card says so and offers the fix.
    await writeFile(opencodeFile, written.replace(`${relay.url}/v1`, 'http://127.0.0.1:1/v1'));
    await page.reload();
    await card.getByText('Needs repair', { exact: true }).waitFor();
    expect(await card.getByTestId('integration-port').textContent()).toBe('1');
    expect(await card.getByText(`Switchboard moved to port ${relay.port}`).isVisible()).toBe(true);
    expect(await card.locator('.drift li').count()).toBeGreaterThan(0);
    await card.getByRole('button', { name: 'Repair' }).click();
    await diff.waitFor();
    expect(await lineTexts(diff.locator('.line.remove'))).toContain('-        "baseURL": "http://127.0.0.1:1/v1",');
    await card.getByRole('button', { name: 'Apply' }).click();
    await card.getByText('Configured ✓', { exact: true }).waitFor();
    expect(await card.getByText('Switchboard moved to port').count()).toBe(0);
    expect(await readFile(opencodeFile, 'utf8')).toBe(written);

    // Undo asks first, then restores the file as it was before the first write.
    await card.getByRole('button', { name: 'Undo…' }).click();
    await card.getByRole('button', { name: 'Undo', exact: true }).click();
    await card.getByText('Not configured', { exact: true }).waitFor();
    expect(await card.getByRole('status').filter({ hasText: 'Restored' }).count()).toBe(1);
    expect(await lineTexts(diff.locator('.line.add'))).toContain('+  "theme": "tokyonight"');
    expect(await readFile(opencodeFile)).toEqual(Buffer.from(ORIGINAL_OPENCODE));
    expect(await exists(`${opencodeFile}.switchboard-backup`)).toBe(false);
    expect(await card.getByRole('button', { name: 'Undo…' }).count()).toBe(0);
    expect(problems).toEqual([]);
    expect(httpErrors).toEqual([]);
  });

  it("shows a client file it can't read, and the relay's refusal inline", async () => {
    const openclawFile = join(home.home, '.openclaw', 'openclaw.json');
    await writeClientFile(openclawFile, '{ "agents": [ not json\n');
    const { page, problems, httpErrors } = await open();
    const card = page.getByTestId('integration-openclaw');
    await card.getByText("Can't read", { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Configure…' }).click();
    expect(await card.getByRole('alert').first().textContent()).toContain('cannot be read');
    await card.getByRole('alert').filter({ hasText: "Cannot update OpenClaw's config" }).waitFor();
    expect(await card.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    expect(await readFile(openclawFile, 'utf8')).toBe('{ "agents": [ not json\n');
    await card.getByRole('button', { name: 'Cancel' }).click();
    expect(await card.getByRole('button', { name: 'Configure…' }).count()).toBe(1);
    expect(problems).toEqual([]);
    expect(httpErrors).toEqual(['409 POST /admin/integrations/openclaw/preview']);
  });

  it('lists snippets per client with a copy button and the relay token masked until asked for', async () => {
    const { page, context, problems, httpErrors } = await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
    const snippets = page.getByTestId('snippets');
    await snippets.waitFor();
    const clients = await snippets.getByRole('group', { name: 'Client' }).getByRole('button').allTextContents();
    expect(clients).toEqual(['Cursor', 'Open WebUI', 'LangChain', 'OpenAI SDK', 'Anthropic SDK', 'curl']);

    await snippets.getByRole('button', { name: 'curl' }).click();
    const curl = snippets.getByTestId('snippet-curl-openai');
    const masked = (await curl.locator('pre').textContent()) ?? '';
    expect(masked).toContain(`Bearer …${RELAY_TOKEN.slice(-4)}`);
    expect(masked).not.toContain(RELAY_TOKEN);
    // The clipboard belongs to the focused page.
    await page.bringToFront();
    await curl.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(masked);

    // The switch is drawn over its checkbox: click it where a user would.
    const reveal = snippets.getByRole('switch', { name: 'Show token' });
    expect(await reveal.isChecked()).toBe(false);
    await snippets.getByText('Show token', { exact: true }).click();
    await expect.poll(async () => curl.locator('pre').textContent()).toContain(`Bearer ${RELAY_TOKEN}`);
    expect(await reveal.isChecked()).toBe(true);
    await snippets.getByText('Show token', { exact: true }).click();
    await expect.poll(async () => curl.locator('pre').textContent()).not.toContain(RELAY_TOKEN);
    expect(problems).toEqual([]);
    expect(httpErrors).toEqual([]);
  });

  it('exports the settings without keys, and with keys only behind two matching passphrases', async () => {
    const { page, problems, httpErrors } = await open();
    const form = page.getByTestId('config-export');
    await form.getByRole('button', { name: 'Export' }).click();
    await form.getByTestId('export-token').waitFor();
    const plain = await form.getByTestId('export-token').inputValue();
    expect(plain.startsWith('sbcfg1.plain.')).toBe(true);
    expect(await form.getByTestId('export-summary').textContent()).toContain('Settings only');
    expect(await form.getByTestId('export-token').getAttribute('readonly')).not.toBeNull();
    expect(await form.getByRole('button', { name: 'Copy token' }).count()).toBe(1);

    await form.getByLabel('Include API keys').check();
    const exportButton = form.getByRole('button', { name: 'Export' });
    expect(await exportButton.isDisabled()).toBe(true);
    await form.getByLabel('Passphrase', { exact: true }).fill('short');
    await form.getByText('at least 8 characters').first().waitFor();
    await form.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await form.getByLabel('Confirm passphrase').fill(`${PASSPHRASE}!`);
    await form.getByText('The two passphrases differ.').waitFor();
    expect(await exportButton.isDisabled()).toBe(true);
    await form.getByLabel('Confirm passphrase').fill(PASSPHRASE);
    expect(await exportButton.isDisabled()).toBe(false);
    await exportButton.click();
    await expect.poll(() => form.getByTestId('export-token').inputValue()).toMatch(/^sbcfg1\.sealed\./);
    expect(await form.getByTestId('export-summary').textContent()).toContain('Settings and 1 key');
    expect(await form.getByTestId('export-token').inputValue()).not.toContain(PROVIDER_KEY);
    // The passphrase is not kept in the form.
    expect(await form.getByLabel('Passphrase', { exact: true }).inputValue()).toBe('');
    expect(problems).toEqual([]);
    expect(httpErrors).toEqual([]);
  });

  describe('importing into a second relay', () => {
    let second: TestRelay;
    let secondHome: TempHome;

    beforeAll(async () => {
      // Its page reads client files too: without a HOME of its own it would look in the real one.
      secondHome = await tempHome();
      second = await startTestRelay({ config: { version: 1 }, env: { HOME: secondHome.home, USERPROFILE: secondHome.home, PATH: secondHome.bin } });
    });
    afterAll(async () => {
      await second?.close();
      await secondHome?.cleanup();
    });

    it('previews what would change, applies it, and the second relay has it', async () => {
      const token = await exportedToken(relay);
      const { page, problems, httpErrors } = await open(second);
      const form = page.getByTestId('config-import');
      await form.getByRole('textbox', { name: 'Token', exact: true }).fill(token);
      expect(await form.getByLabel(/Passphrase/).count()).toBe(0);
      await form.getByRole('button', { name: 'Preview' }).click();
      const preview = form.getByTestId('import-preview');
      await preview.waitFor();
      expect(await preview.getByRole('region', { name: 'Custom endpoints' }).textContent()).toContain('Add fake');
      const baseUrls = preview.getByRole('region', { name: 'Where requests and keys would be sent' });
      expect(await baseUrls.textContent()).toContain(`fake (custom endpoint): to ${upstream.url}`);
      expect(await baseUrls.locator('li.warning').count()).toBeGreaterThan(0);
      expect((await providersOf(second)).some((provider) => provider.id === 'fake')).toBe(false);

      await form.getByRole('button', { name: 'Apply import' }).click();
      await form.getByRole('status').filter({ hasText: 'Imported' }).waitFor();
      const fake = (await providersOf(second)).find((provider) => provider.id === 'fake');
      expect(fake).toMatchObject({ custom: true, baseUrl: upstream.url });
      expect(await form.getByRole('textbox', { name: 'Token', exact: true }).inputValue()).toBe('');
      expect(problems).toEqual([]);
      expect(httpErrors).toEqual([]);
    });

    it('a sealed token asks for its passphrase; a wrong one or a tampered token shows the error and changes nothing', async () => {
      const sealed = await exportedToken(relay, PASSPHRASE);
      const before = await providersOf(second);
      const { page, problems, httpErrors } = await open(second);
      const form = page.getByTestId('config-import');

      await form.getByRole('textbox', { name: 'Token', exact: true }).fill(sealed);
      const passphrase = form.getByLabel(/Passphrase/);
      await passphrase.waitFor();
      expect(await form.getByRole('button', { name: 'Preview' }).isDisabled()).toBe(true);
      await passphrase.fill('not the passphrase');
      await form.getByRole('button', { name: 'Preview' }).click();
      await form.getByRole('alert').waitFor();
      expect(await form.getByRole('alert').textContent()).toContain('Nothing was changed.');
      expect(await form.getByTestId('import-preview').count()).toBe(0);

      const middle = Math.floor(sealed.length / 2);
      const tampered = `${sealed.slice(0, middle)}${sealed[middle] === 'A' ? 'B' : 'A'}${sealed.slice(middle + 1)}`;
      await form.getByRole('textbox', { name: 'Token', exact: true }).fill(tampered);
      await form.getByLabel(/Passphrase/).fill(PASSPHRASE);
      await form.getByRole('button', { name: 'Preview' }).click();
      await form.getByRole('alert').waitFor();
      expect(await form.getByRole('button', { name: 'Apply import' }).count()).toBe(0);
      expect(await providersOf(second)).toEqual(before);

      // The whole token and the right passphrase: the preview lists the key, masked.
      await form.getByRole('textbox', { name: 'Token', exact: true }).fill(sealed);
      await form.getByLabel(/Passphrase/).fill(PASSPHRASE);
      await form.getByRole('button', { name: 'Preview' }).click();
      const keys = form.getByTestId('import-preview').getByRole('region', { name: 'Keys' });
      await keys.waitFor();
      expect(await keys.textContent()).toContain(`fake: 'main' …${PROVIDER_KEY.slice(-4)}`);
      expect(await form.textContent()).not.toContain(PROVIDER_KEY);
      expect(await providersOf(second)).toEqual(before);
      expect(problems).toEqual([]);
      // The wrong passphrase and the tampered token: the relay's two refusals, nothing else.
      expect(httpErrors).toEqual(['400 POST /admin/config/import', '400 POST /admin/config/import']);
    });
  });
});
