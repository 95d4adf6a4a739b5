import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoView, KeysResponse, ProvidersResponse } from '../../relay/admin/dto.js';
import { launchBrowser, openDashboard } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestRelay, type TestRelay } from '../helpers/start-relay.js';

const GOOD_KEY = 'gsk-welcome-good-0123456789AbCd';
const WRONG_KEY = 'csk-welcome-wrong-0123456789EfGh';

/**
 * The first-run screen against a relay with no key at all. Groq and Cerebras point at fake
 * upstreams on 127.0.0.1 (Groq's needs GOOD_KEY); no other provider gets a key, so none is called.
 */
describe('the first-run (welcome) view', () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  let relay: TestRelay;

  beforeAll(async () => {
    browser = await launchBrowser();
    upstream = await startFakeUpstream({ requireKey: GOOD_KEY });
    relay = await startTestRelay({
      config: {
        version: 1,
        providers: {
          groq: { baseUrl: upstream.url },
          cerebras: { baseUrl: upstream.url },
        },
      },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await upstream?.close();
  });

  async function adminGet<T>(path: string): Promise<T> {
    const response = await fetch(`${relay.url}/admin${path}`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  it('opens by itself on a relay with no provider ready, with the address, free providers and local servers', async () => {
    const { page, context, problems } = await openDashboard(browser, relay);
    try {
      await page.getByRole('heading', { name: 'Welcome to Switchboard' }).waitFor();
      expect(await page.getByTestId('welcome-base-url').textContent()).toBe(`${relay.url}/v1`);
      await page.getByRole('button', { name: 'Copy address' }).waitFor();

      const groq = page.getByTestId('welcome-provider-groq');
      const signup = groq.getByRole('link', { name: /Get a free key/ });
      expect(await signup.getAttribute('href')).toBe('https://console.groq.com/keys');
      expect(await signup.getAttribute('target')).toBe('_blank');
      expect(await signup.getAttribute('rel')).toBe('noreferrer noopener');
      // Paid providers are not offered on the first-run screen.
      expect(await page.getByTestId('welcome-provider-openai').count()).toBe(0);

      // The test relay does not look for local servers, so Ollama is "not running".
      await page.getByTestId('welcome-local-ollama').getByText('Not running — start Ollama and it is found automatically.').waitFor();
      expect(await page.getByRole('link', { name: /Connect your coding agent/ }).getAttribute('href')).toBe('#/integrations');

      if (process.env['SCREENSHOTS'] === '1') {
        await mkdir('docs/screenshots', { recursive: true });
        await page.screenshot({ path: 'docs/screenshots/welcome.png' });
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Needs POST /admin/keys/:provider/:key/test (without it the page falls back to discovery, but the 404 is a console error).
  it('checks a pasted key live and shows the models it opened', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/welcome' });
    try {
      const groq = page.getByTestId('welcome-provider-groq');
      await groq.getByRole('textbox', { name: 'Groq key' }).fill(GOOD_KEY);
      await groq.getByRole('button', { name: 'Add key' }).click();
      // The fake upstream lists two models; discovery with the new key replaces the curated list.
      await groq.getByText('Key works · 2 models found').waitFor({ timeout: 15_000 });
      expect(await page.content()).not.toContain(GOOD_KEY);
      const view = (await adminGet<ProvidersResponse>('/providers')).providers.find((provider) => provider.id === 'groq');
      expect(view).toMatchObject({ status: 'ready', keyCount: 1, modelCount: 2 });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Needs POST /admin/keys/:provider/:key/test.
  it('says when a pasted key is rejected and lets the user remove it', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/welcome' });
    try {
      const cerebras = page.getByTestId('welcome-provider-cerebras');
      await cerebras.getByRole('textbox', { name: 'Cerebras key' }).fill(WRONG_KEY);
      await cerebras.getByRole('button', { name: 'Add key' }).click();
      await cerebras.getByText(/The key did not work: rejected/).waitFor({ timeout: 15_000 });
      expect(await page.content()).not.toContain(WRONG_KEY);
      await cerebras.getByRole('button', { name: 'Remove this key and try another' }).click();
      await cerebras.getByRole('textbox', { name: 'Cerebras key' }).waitFor();
      expect((await adminGet<KeysResponse>('/keys/cerebras')).keys).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Needs GET|POST /admin/demo and StatusResponse.demo.
  it('starts demo mode from the first-run screen, then stops it', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/welcome' });
    try {
      await page.getByRole('button', { name: 'Start demo mode' }).click();
      await page.waitForURL(/#\/models$/);
      expect((await adminGet<DemoView>('/demo')).running).toBe(true);

      await page.goto(`${relay.url}/#/welcome`);
      const notice = page.getByTestId('demo-notice');
      await notice.getByText('Demo mode: simulated providers.').waitFor();
      await notice.getByRole('button', { name: 'Stop demo' }).click();
      await notice.waitFor({ state: 'detached' });
      expect((await adminGet<DemoView>('/demo')).running).toBe(false);
      await page.getByRole('button', { name: 'Start demo mode' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
