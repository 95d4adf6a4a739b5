import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openDashboard, type DashboardPage } from '../helpers/browser.js';
import { openAiError, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';

/**
 * The Requests view against a real relay and two fake upstreams serving the same model: what a
 * request's message says decides how the first upstream answers, so one relay covers a plain
 * answer, a failover, an error and text that must never become markup.
 */

const HOSTILE_MODEL = '<img src=x onerror="window.__hostile=1">';
const HOSTILE_ERROR = '<b>bold</b><img src=y onerror="window.__hostile=2">';

interface Sent {
  status: number;
  requestId: string;
}

describe('the Requests view', () => {
  let browser: Browser;
  let primary: FakeUpstream;
  let backup: FakeUpstream;
  let relay: TestRelay;

  beforeAll(async () => {
    browser = await launchBrowser();
    primary = await startFakeUpstream({
      behavior: (request) => {
        const text = JSON.stringify(request.body?.messages ?? []);
        if (text.includes('fail-first') || text.includes('fail-always')) return { status: 500, errorBody: openAiError(HOSTILE_ERROR, 'server_error', 'server_error') };
        return { text: 'From the primary upstream.', ttftMs: 20 };
      },
    });
    backup = await startFakeUpstream({ behavior: { text: 'From the backup upstream.', ttftMs: 10 } });
    relay = await startTestRelay({
      config: endpointsConfig(
        [
          { id: 'primary', baseUrl: primary.url, models: ['chat-model'] },
          { id: 'backup', baseUrl: backup.url, models: ['chat-model'] },
        ],
        { routing: { priority: ['primary', 'backup'], exploration: 0, maxRetryWaitMs: 0 } },
      ),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await primary?.close();
    await backup?.close();
  });

  async function chat(model: string, content: string): Promise<Sent> {
    const response = await fetch(`${relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    });
    await response.text();
    return { status: response.status, requestId: response.headers.get('x-request-id') ?? '' };
  }

  async function anthropicMessage(model: string): Promise<Sent> {
    const response = await fetch(`${relay.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hello from the Anthropic wire' }] }),
    });
    await response.text();
    return { status: response.status, requestId: response.headers.get('x-request-id') ?? '' };
  }

  /** The log's rows (the detail panel has a table of its own). */
  function rows(page: Page) {
    return page.getByRole('table', { name: 'Requests' }).locator('tbody tr');
  }

  function row(page: Page, sent: Sent) {
    return page.locator(`tr[data-request-id="${sent.requestId}"]`);
  }

  async function open(): Promise<DashboardPage> {
    const dashboard = await openDashboard(browser, relay, { hash: '#/requests' });
    // A missing element fails the test with its locator instead of hanging until the test times out.
    dashboard.page.setDefaultTimeout(8_000);
    await dashboard.page.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();
    return dashboard;
  }

  it('before any request explains how to send one, with a command for this relay', async () => {
    const { page, context, problems } = await open();
    try {
      const empty = page.getByTestId('requests-empty');
      await empty.waitFor();
      expect(await empty.textContent()).toContain(`curl ${relay.url}/v1/chat/completions`);
      await empty.getByRole('button', { name: 'Copy command' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows requests on both wires live, without a reload, newest first, with route and TTFT', async () => {
    const { page, context, problems } = await open();
    try {
      await page.getByTestId('requests-empty').waitFor();
      const openai = await chat('primary/chat-model', 'hello');
      expect(openai.status).toBe(200);
      const first = row(page, openai);
      await first.waitFor();
      expect(await first.locator('td').nth(1).textContent()).toContain('openai');
      expect(await first.locator('td').nth(2).textContent()).toBe('primary/chat-model');
      expect(await first.locator('td').nth(3).textContent()).toContain('primary/chat-model');
      expect(await first.locator('td').nth(5).textContent()).toMatch(/^\d+ ms$/);
      expect(await first.locator('td').nth(8).textContent()).toContain('ok 200');
      expect(await first.locator('td').nth(0).getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await first.locator('td').nth(0).textContent()).toMatch(/^\d\d:\d\d:\d\d$/);

      const anthropic = await anthropicMessage('primary/chat-model');
      expect(anthropic.status).toBe(200);
      await row(page, anthropic).waitFor();
      expect(await row(page, anthropic).locator('td').nth(1).textContent()).toContain('anthropic');
      expect(await rows(page).first().getAttribute('data-request-id')).toBe(anthropic.requestId);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a failover as two attempts, with the first one’s reason in the detail panel', async () => {
    const { page, context, problems } = await open();
    try {
      await rows(page).first().waitFor();
      const failover = await chat('chat-model', 'fail-first please');
      expect(failover.status).toBe(200);
      const line = row(page, failover);
      await line.waitFor();
      expect(await line.locator('td').nth(3).textContent()).toContain('backup/chat-model');
      expect(await line.locator('td').nth(4).textContent()).toMatch(/2\s*1 failed/);

      await line.click();
      const panel = page.getByRole('complementary', { name: 'Request details' });
      await panel.waitFor();
      const attempts = panel.getByTestId('attempt');
      expect(await attempts.count()).toBe(2);
      const firstAttempt = (await attempts.nth(0).textContent()) ?? '';
      expect(firstAttempt).toContain('primary/chat-model');
      expect(firstAttempt).toContain('HTTP 500');
      expect(firstAttempt).toContain(HOSTILE_ERROR);
      expect(await attempts.nth(1).textContent()).toContain('backup/chat-model');
      // The routing explanation lists both candidates.
      const candidates = panel.getByRole('table', { name: 'Candidates' });
      expect(await candidates.textContent()).toContain('primary/chat-model');
      expect(await candidates.textContent()).toContain('backup/chat-model');
      // Bodies are off by default: the panel says where to turn them on.
      expect(await panel.getByTestId('bodies-off').textContent()).toContain('Bodies are not kept — turn on in Settings');
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows an error request with the HTTP status the client got, and hostile text as text', async () => {
    const { page, context, problems } = await open();
    try {
      await rows(page).first().waitFor();
      const failed = await chat('primary/chat-model', 'fail-always');
      expect(failed.status).toBeGreaterThanOrEqual(500);
      await row(page, failed).waitFor();
      expect(await row(page, failed).locator('td').nth(8).textContent()).toContain(`error ${failed.status}`);

      const hostile = await chat(HOSTILE_MODEL, 'hi');
      expect(hostile.status).toBe(404);
      const line = row(page, hostile);
      await line.waitFor();
      expect(await line.locator('td').nth(2).textContent()).toBe(HOSTILE_MODEL);
      expect(await line.locator('td').nth(8).textContent()).toContain('error 404');
      // Opened with the keyboard.
      await line.focus();
      await page.keyboard.press('Enter');
      const panel = page.getByRole('complementary', { name: 'Request details' });
      await panel.waitFor();
      expect(await panel.getByTestId('request-error').textContent()).toContain(HOSTILE_MODEL);

      await row(page, failed).click();
      await panel.getByTestId('attempt').first().waitFor();
      expect(await panel.getByTestId('attempt').first().textContent()).toContain(HOSTILE_ERROR);

      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('main b').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __hostile?: number }).__hostile)).toBeUndefined();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the kept bodies as text with copy buttons when the relay keeps them', async () => {
    const keeping = await startTestRelay({
      config: endpointsConfig([{ id: 'primary', baseUrl: backup.url, models: ['chat-model'] }], { requests: { keepBodies: true } }),
    });
    try {
      const dashboard = await openDashboard(browser, keeping, { hash: '#/requests' });
      dashboard.page.setDefaultTimeout(8_000);
      const { page, context, problems } = dashboard;
      try {
        await page.getByTestId('requests-empty').waitFor();
        const response = await fetch(`${keeping.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'chat-model', messages: [{ role: 'user', content: HOSTILE_ERROR }] }),
        });
        expect(response.status).toBe(200);
        const sent = { status: response.status, requestId: response.headers.get('x-request-id') ?? '' };
        await response.text();
        await row(page, sent).click();
        const panel = page.getByRole('complementary', { name: 'Request details' });
        const bodies = panel.locator('pre');
        await expect.poll(() => bodies.count()).toBe(2);
        expect(await bodies.nth(0).textContent()).toContain(JSON.stringify(HOSTILE_ERROR).slice(1, -1));
        expect(await bodies.nth(1).textContent()).toContain('From the backup upstream.');
        await panel.getByRole('button', { name: 'Copy request' }).waitFor();
        await panel.getByRole('button', { name: 'Copy answer' }).waitFor();
        expect(await page.locator('img').count()).toBe(0);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    } finally {
      await keeping.close();
    }
  });

  it('holds the rows still while a request is open, and counts the new ones instead', async () => {
    const { page, context, problems } = await open();
    try {
      await rows(page).first().waitFor();
      const before = await rows(page).count();
      await rows(page).nth(1).click();
      await page.getByRole('complementary', { name: 'Request details' }).waitFor();

      const later = await chat('primary/chat-model', 'while reading');
      const button = page.getByRole('button', { name: '1 new request' });
      await button.waitFor();
      await expect.poll(() => rows(page).count()).toBe(before);
      expect(await row(page, later).count()).toBe(0);

      await button.click();
      await row(page, later).waitFor();
      await expect.poll(() => rows(page).count()).toBe(before + 1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('filters by outcome, wire and search, and pauses live updates', async () => {
    const { page, context, problems } = await open();
    try {
      await rows(page).first().waitFor();
      const all = await rows(page).count();

      await page.getByLabel('Outcome').selectOption('errors');
      await expect.poll(() => rows(page).count()).toBe(2);
      for (const text of await rows(page).allTextContents()) expect(text).toContain('error');
      await page.getByLabel('Outcome').selectOption('all');

      await page.getByLabel('Wire').selectOption('anthropic');
      await expect.poll(() => rows(page).count()).toBe(1);
      await page.getByLabel('Wire').selectOption('all');

      await page.getByLabel('Search requests').fill('backup');
      await expect.poll(() => rows(page).count()).toBe(1);
      await page.getByRole('button', { name: 'Clear filters' }).first().click();
      await expect.poll(() => rows(page).count()).toBe(all);

      const pause = page.getByRole('switch', { name: 'Pause live updates' });
      await page.getByText('Pause live updates').click();
      expect(await pause.isChecked()).toBe(true);
      const paused = await chat('primary/chat-model', 'while paused');
      await page.getByRole('button', { name: '1 new request' }).waitFor();
      expect(await row(page, paused).count()).toBe(0);
      await page.getByText('Pause live updates').click();
      await row(page, paused).waitFor();

      if (process.env['SCREENSHOTS'] === '1') {
        await mkdir('docs/screenshots', { recursive: true });
        await page.screenshot({ path: 'docs/screenshots/requests.png' });
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
  it('holds the rows still while the user has scrolled down, and scrolls up to the new ones on request', async () => {
    const dashboard = await openDashboard(browser, relay, { hash: '#/requests', viewport: { width: 1280, height: 440 } });
    dashboard.page.setDefaultTimeout(8_000);
    const { page, context, problems } = dashboard;
    try {
      await rows(page).first().waitFor();
      const before = await rows(page).count();
      const scroller = page.locator('.scroller');
      await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await expect.poll(() => scroller.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);

      const later = await chat('primary/chat-model', 'while scrolled down');
      const button = page.getByRole('button', { name: '1 new request' });
      await button.waitFor();
      expect(await row(page, later).count()).toBe(0);
      expect(await rows(page).count()).toBe(before);

      await button.click();
      await row(page, later).waitFor();
      await expect.poll(() => scroller.evaluate((element) => element.scrollTop)).toBe(0);
      expect(await rows(page).first().getAttribute('data-request-id')).toBe(later.requestId);
      expect(await button.count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
