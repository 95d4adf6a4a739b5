import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointsResponse, KeysResponse, ProvidersResponse, ProviderView } from '../../relay/admin/dto.js';
import { launchBrowser, openDashboard } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';

const GOOD_KEY = 'sk-good-0123456789abcdefWXYZ';
const WRONG_KEY = 'sk-wrong-9876543210fedcbaQRST';
const GROQ_KEY = 'gsk-stored-00112233445566778899';

/**
 * The Providers & keys view against a real relay. Every provider a test touches points at a
 * fake upstream on 127.0.0.1; the rest have no key, so the relay never calls them.
 */
describe('the Providers & keys view', () => {
  let browser: Browser;
  /** Needs GOOD_KEY (401 for anything else). */
  let keyed: FakeUpstream;
  /** Needs no key. */
  let open: FakeUpstream;
  let relay: TestRelay;

  beforeAll(async () => {
    browser = await launchBrowser();
    keyed = await startFakeUpstream({ requireKey: GOOD_KEY });
    open = await startFakeUpstream();
    relay = await startTestRelay({
      config: endpointsConfig([{ id: 'fake', baseUrl: keyed.url, models: ['fast-model'] }], {
        providers: {
          groq: { baseUrl: keyed.url, discovery: false, keys: [{ id: 'groq-main', label: 'main' }] },
          cerebras: { baseUrl: open.url, discovery: false },
        },
      }),
      secrets: { 'groq-main': GROQ_KEY },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await keyed?.close();
    await open?.close();
  });

  async function adminGet<T>(path: string): Promise<T> {
    const response = await fetch(`${relay.url}/admin${path}`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  async function providerState(id: string): Promise<ProviderView | undefined> {
    return (await adminGet<ProvidersResponse>('/providers')).providers.find((provider) => provider.id === id);
  }

  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function openProviders(): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/providers' });
    // Fail on the step that hangs, with its locator, rather than on the test's own timeout.
    page.setDefaultTimeout(8_000);
    await page.getByRole('heading', { name: 'Providers & keys' }).waitFor();
    await page.getByTestId('provider-fake').waitFor();
    return { page, problems, close: () => context.close() };
  }

  async function addKey(page: Page, provider: string, key: string, label: string): Promise<void> {
    const card = page.getByTestId(`provider-${provider}`);
    await card.getByRole('button', { name: 'Add key' }).click();
    const form = card.getByRole('form', { name: /^Add a key to / });
    await form.getByLabel('Key', { exact: true }).fill(key);
    await form.getByLabel('Label').fill(label);
    await form.getByRole('button', { name: 'Save key' }).click();
    await card.getByTestId(`key-${label}`).waitFor();
  }

  it('groups providers into sections and says how keys are protected', async () => {
    const { page, problems, close } = await openProviders();
    try {
      await expect(page.getByTestId('section-ready').getByTestId('provider-groq').count()).resolves.toBe(1);
      await expect(page.getByTestId('section-needs-key').getByTestId('provider-cerebras').count()).resolves.toBe(1);
      await expect(page.getByTestId('section-local').getByTestId('provider-ollama').count()).resolves.toBe(1);
      await expect(page.getByTestId('section-custom').getByTestId('provider-fake').count()).resolves.toBe(1);
      expect(await page.getByTestId('section-off').count()).toBe(0);
      // The test relay keeps keys in memory; the view says so rather than claiming a keyring.
      await page.getByText('Keys are kept in memory only').waitFor();
      const groq = page.getByTestId('provider-groq');
      const signup = groq.getByRole('link', { name: /Get a key/ });
      expect(await signup.getAttribute('target')).toBe('_blank');
      expect(await signup.getAttribute('rel')).toBe('noreferrer noopener');
      await groq.getByText(`…${GROQ_KEY.slice(-4)}`).waitFor();
      expect(await page.content()).not.toContain(GROQ_KEY);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('adds a key that only ever shows masked, then removes it after an inline confirmation', async () => {
    const { page, problems, close } = await openProviders();
    try {
      await addKey(page, 'fake', GOOD_KEY, 'main');
      const row = page.getByTestId('provider-fake').getByTestId('key-main');
      await row.getByText(`…${GOOD_KEY.slice(-4)}`).waitFor();
      await row.getByText('stored').waitFor();
      expect(await page.content()).not.toContain(GOOD_KEY);
      expect((await adminGet<KeysResponse>('/keys/fake')).keys.map((key) => key.label)).toEqual(['main']);

      // The form is cleared: opening it again shows an empty key field.
      const card = page.getByTestId('provider-fake');
      await card.getByRole('button', { name: 'Add key' }).click();
      expect(await card.getByLabel('Key', { exact: true }).inputValue()).toBe('');
      await card.getByRole('button', { name: 'Cancel' }).click();

      await addKey(page, 'fake', WRONG_KEY, 'spare');
      await card.getByRole('button', { name: 'Remove key spare' }).click();
      await card.getByText('Remove spare? It is deleted from this machine.').waitFor();
      await card.getByRole('button', { name: 'Remove key', exact: true }).click();
      await card.getByTestId('key-spare').waitFor({ state: 'detached' });
      expect((await adminGet<KeysResponse>('/keys/fake')).keys.map((key) => key.label)).toEqual(['main']);
      expect(await page.content()).not.toContain(WRONG_KEY);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('turns a provider off and on again', async () => {
    const { page, problems, close } = await openProviders();
    try {
      // The switch's drawn track lies over its invisible checkbox: the click lands on the track,
      // inside the same label, as a user's does (hence force).
      await page.getByTestId('provider-cerebras').getByRole('switch', { name: 'Cerebras on' }).uncheck({ force: true });
      await eventually(async () => (await providerState('cerebras'))?.enabled === false, 'cerebras to be off');
      await page.getByTestId('section-off').getByTestId('provider-cerebras').waitFor();
      expect((await providerState('cerebras'))?.status).toBe('disabled');

      await page.getByTestId('provider-cerebras').getByRole('switch', { name: 'Cerebras on' }).check({ force: true });
      await eventually(async () => (await providerState('cerebras'))?.enabled === true, 'cerebras to be on');
      await page.getByTestId('section-needs-key').getByTestId('provider-cerebras').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('asks before a base URL change sends existing keys to another server', async () => {
    const { page, problems, close } = await openProviders();
    try {
      const groq = page.getByTestId('provider-groq');
      await groq.getByRole('button', { name: 'Change the base URL of Groq' }).click();
      await groq.getByRole('textbox', { name: 'Base URL' }).fill(open.url);
      await groq.getByRole('button', { name: 'Save URL' }).click();
      const dialog = groq.getByRole('alertdialog');
      await dialog.getByText(`Your 1 key for Groq will be sent to ${open.url}`).waitFor();
      // Nothing changed until the user agrees.
      expect((await providerState('groq'))?.baseUrl).toBe(keyed.url);

      await dialog.getByRole('button', { name: 'Send my key there' }).click();
      await eventually(async () => (await providerState('groq'))?.baseUrl === open.url, 'groq to move');
      await groq.getByText(open.url, { exact: true }).waitFor();
      await groq.getByText(/changed from the built-in/).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('adds a custom endpoint and removes it with its keys', async () => {
    const { page, problems, close } = await openProviders();
    try {
      await page.getByRole('button', { name: 'Add a custom endpoint' }).click();
      const form = page.getByRole('form', { name: 'Add a custom endpoint' });
      await form.getByLabel('Name').fill('lab');
      await form.getByLabel('Base URL').fill(open.url);
      await form.getByLabel('Free (costs nothing to use)').check();
      await form.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByText('Added lab.').waitFor();
      const card = page.getByTestId('section-custom').getByTestId('provider-lab');
      await card.waitFor();
      const saved = (await adminGet<EndpointsResponse>('/endpoints')).endpoints.find((endpoint) => endpoint.id === 'lab');
      expect(saved).toMatchObject({ baseUrl: open.url, free: true, discovery: true });
      // Discovery runs against the fake upstream, and the card follows the relay's list.
      await card.getByText('2 models').waitFor();

      await card.getByRole('button', { name: 'Remove endpoint lab' }).click();
      await card.getByRole('button', { name: 'Remove endpoint', exact: true }).click();
      await card.waitFor({ state: 'detached' });
      expect((await adminGet<EndpointsResponse>('/endpoints')).endpoints.map((endpoint) => endpoint.id)).toEqual(['fake']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  // Needs POST /admin/keys/:provider/:key/test.
  it('tests keys live: a good key shows its time to first token, a wrong one is rejected', async () => {
    const { page, problems, close } = await openProviders();
    try {
      const card = page.getByTestId('provider-fake');
      if ((await card.getByTestId('key-main').count()) === 0) await addKey(page, 'fake', GOOD_KEY, 'main');
      await card.getByRole('button', { name: 'Test key main' }).click();
      await card.getByTestId('key-main').getByText(/Works \(ok\)\..*First token from .+ in \d+ ms/).waitFor({ timeout: 10_000 });

      await addKey(page, 'fake', WRONG_KEY, 'wrong');
      await card.getByRole('button', { name: 'Test key wrong' }).click();
      await card.getByTestId('key-wrong').getByText(/^rejected/).waitFor({ timeout: 10_000 });
      expect(await page.content()).not.toContain(WRONG_KEY);
      expect(await page.content()).not.toContain(GOOD_KEY);

      await card.getByRole('button', { name: 'Remove key wrong' }).click();
      await card.getByRole('button', { name: 'Remove key', exact: true }).click();
      await card.getByTestId('key-wrong').waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  // Needs PATCH /admin/keys/:provider/:key.
  it("edits a key's label and model globs", async () => {
    const { page, problems, close } = await openProviders();
    try {
      const card = page.getByTestId('provider-fake');
      if ((await card.getByTestId('key-main').count()) === 0) await addKey(page, 'fake', GOOD_KEY, 'main');
      await card.getByRole('button', { name: 'Edit key main' }).click();
      const form = card.getByRole('form', { name: 'Edit key main' });
      await form.getByLabel('Label').fill('primary');
      await form.getByLabel(/^Models/).fill('fast-*, fake-small');
      await form.getByRole('button', { name: 'Save' }).click();
      await card.getByTestId('key-primary').getByText('Only models: fast-*, fake-small').waitFor();
      const key = (await adminGet<KeysResponse>('/keys/fake')).keys.find((candidate) => candidate.label === 'primary');
      expect(key?.models).toEqual(['fast-*', 'fake-small']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  // Needs POST /admin/endpoints/preview.
  it('previews the models of a custom endpoint before adding it', async () => {
    const { page, problems, close } = await openProviders();
    try {
      await page.getByRole('button', { name: 'Add a custom endpoint' }).click();
      const form = page.getByRole('form', { name: 'Add a custom endpoint' });
      await form.getByLabel('Name').fill('previewed');
      await form.getByLabel('Base URL').fill(open.url);
      await form.getByRole('button', { name: 'Preview' }).click();
      const preview = form.getByRole('region', { name: 'Preview' });
      await preview.getByText('2 models found').waitFor();
      await preview.getByText('fake-small', { exact: true }).waitFor();
      await preview.getByText('fake-large', { exact: true }).waitFor();
      // Nothing is saved by a preview.
      expect((await adminGet<EndpointsResponse>('/endpoints')).endpoints.some((endpoint) => endpoint.id === 'previewed')).toBe(false);

      await form.getByRole('button', { name: 'Add endpoint' }).click();
      const card = page.getByTestId('provider-previewed');
      await card.waitFor();
      await card.getByRole('button', { name: 'Remove endpoint previewed' }).click();
      await card.getByRole('button', { name: 'Remove endpoint', exact: true }).click();
      await card.waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it.runIf(process.env['SCREENSHOTS'] === '1')('saves a screenshot for the docs', async () => {
    const { page, problems, close } = await openProviders();
    try {
      await mkdir('docs/screenshots', { recursive: true });
      await page.screenshot({ path: 'docs/screenshots/providers.png' });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
