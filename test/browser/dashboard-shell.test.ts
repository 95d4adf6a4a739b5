import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openDashboard } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';

describe('the dashboard page', () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  let relay: TestRelay;

  beforeAll(async () => {
    browser = await launchBrowser();
    upstream = await startFakeUpstream();
    relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fast-model'] }]) });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await upstream?.close();
  });

  it('is served at / to browsers with a strict CSP, while other clients still get the Ollama answer', async () => {
    const page = await fetch(`${relay.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<div id="app">');

    const probe = await fetch(`${relay.url}/`);
    expect(await probe.text()).toBe('Ollama is running');
  });

  it('signs in with the admin link and shows the live relay without console errors or CSP violations', async () => {
    const { page, context, problems } = await openDashboard(browser, relay);
    try {
      expect(new URL(page.url()).search).toBe('');
      await page.getByTestId('auto-fastest-route').waitFor();
      expect(await page.getByTestId('auto-fastest-route').textContent()).toBe('fake/fast-model');
      const cookies = await context.cookies();
      expect(cookies.find((cookie) => cookie.name === 'switchboard_admin')?.httpOnly).toBe(true);
      // The page script cannot read the admin credential.
      expect(await page.evaluate(() => document.cookie)).toBe('');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('without the link says how to sign in and shows nothing of the relay', async () => {
    const { page, context } = await openDashboard(browser, relay, { signIn: false });
    try {
      await page.getByRole('alert').getByText('not signed in').waitFor();
      expect(await page.getByTestId('auto-fastest-route').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
