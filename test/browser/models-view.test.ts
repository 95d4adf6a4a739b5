import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openDashboard } from '../helpers/browser.js';
import { openAiError, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';

/** Set SCREENSHOTS=1 to refresh docs/screenshots/models.png; a normal run writes nothing there. */
const SCREENSHOTS = process.env['SCREENSHOTS'] === '1';
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

let asked = 0;

/** One real streamed chat request through the relay; a new first message each time, so no session affinity. */
async function chat(relay: TestRelay, model: string): Promise<{ status: number; provider: string | null; model: string | null }> {
  asked += 1;
  const response = await fetch(`${relay.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: `question ${asked}` }] }),
  });
  await response.text();
  return { status: response.status, provider: response.headers.get('x-switchboard-provider'), model: response.headers.get('x-switchboard-model') };
}

const groupRow = (page: Page, group: string) => page.locator(`tr.group[data-group="${group}"]`);
const routeRow = (page: Page, route: string) => page.locator(`tr.route[data-route="${route}"]`);

async function expand(page: Page, group: string): Promise<void> {
  const button = groupRow(page, group).locator('button.expand');
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
}

describe('the Models view', () => {
  let browser: Browser;
  let alpha: FakeUpstream;
  let beta: FakeUpstream;
  let relay: TestRelay;

  beforeAll(async () => {
    browser = await launchBrowser();
    // Scores count first-token time and streaming speed: alpha serves shared-model far faster on
    // both; its other model is slower than everything, so it wins only when pinned.
    alpha = await startFakeUpstream({ behavior: (request) => (request.model === 'alpha-only' ? { ttftMs: 250, interChunkMs: 25 } : { ttftMs: 5, interChunkMs: 1 }) });
    beta = await startFakeUpstream({ behavior: { ttftMs: 120, interChunkMs: 20 } });
    relay = await startTestRelay({
      config: endpointsConfig(
        [
          { id: 'alpha', baseUrl: alpha.url, models: ['shared-model', 'alpha-only'] },
          { id: 'beta', baseUrl: beta.url, models: ['shared-model'] },
        ],
        { routing: { priority: ['alpha', 'beta'], exploration: 0 } },
      ),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await alpha?.close();
    await beta?.close();
  });

  it('shows the fleet as model groups with their routes, and updates live from real requests', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await groupRow(page, 'shared-model').waitFor();
      expect(await page.locator('tr.group').count()).toBe(2);
      await expect.poll(() => groupRow(page, 'shared-model').locator('.sub').textContent()).toContain('2 routes');
      expect(await groupRow(page, 'shared-model').locator('.sub').textContent()).toContain('alpha, beta');
      await expand(page, 'shared-model');
      await routeRow(page, 'beta/shared-model').waitFor();
      expect(await page.locator('tr.route').count()).toBe(2);
      // Nothing measured yet: no TTFT, no sparkline.
      const alphaRoute = routeRow(page, 'alpha/shared-model');
      expect(await alphaRoute.locator('td.num').first().locator('.strong').textContent()).toBe('—');
      expect(await alphaRoute.locator('svg.spark').count()).toBe(0);

      await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
      for (let index = 0; index < 3; index++) expect((await chat(relay, 'alpha/shared-model')).provider).toBe('alpha');

      await expect.poll(() => alphaRoute.locator('td.num').first().locator('.strong').textContent(), { timeout: 5_000 }).toMatch(/^\d+ ms$/);
      await alphaRoute.locator('svg.spark').waitFor();
      await expect.poll(() => alphaRoute.locator('svg.spark').getAttribute('aria-label'), { timeout: 5_000 }).toMatch(/^3 recent first-token times/);
      expect(await alphaRoute.locator('td.status').textContent()).toContain('up');
      // The group row adds it up too, and the page was never reloaded.
      expect(await groupRow(page, 'shared-model').locator('td.num').first().locator('.strong').textContent()).toMatch(/^\d+ ms$/);
      expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('pins from a row (route, then group) and unpins, and the next real request follows', async () => {
    // Measure both shared routes so auto-fastest prefers the fast one.
    await chat(relay, 'beta/shared-model');
    await chat(relay, 'alpha/shared-model');
    expect(await chat(relay, 'auto-fastest')).toMatchObject({ provider: 'alpha', model: 'shared-model' });

    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await expand(page, 'shared-model');
      await routeRow(page, 'beta/shared-model').getByRole('button', { name: 'Pin', exact: true }).click();
      await page.getByTestId('pin-banner').waitFor();
      expect(await page.getByTestId('pin-banner').textContent()).toContain('beta/shared-model');
      expect(await routeRow(page, 'beta/shared-model').textContent()).toContain('pinned');
      expect(await chat(relay, 'auto-fastest')).toMatchObject({ provider: 'beta', model: 'shared-model' });

      // The explanation says the pin is honoured and lists the candidates.
      await expect.poll(() => page.getByTestId('models-fastest').textContent()).toBe('beta/shared-model');
      await page.getByText('Why?').click();
      const explainer = page.locator('.explainer');
      await expect.poll(() => explainer.textContent()).toContain('honoured');
      expect(await explainer.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
      expect(await routeRow(page, 'beta/shared-model').textContent()).toContain('auto-fastest');

      await page.getByTestId('pin-banner').getByRole('button', { name: 'Unpin' }).click();
      await page.getByTestId('pin-banner').waitFor({ state: 'detached' });
      expect(await chat(relay, 'auto-fastest')).toMatchObject({ provider: 'alpha', model: 'shared-model' });

      // A group pin from the group row: auto-fastest goes to that model.
      await groupRow(page, 'alpha-only').getByRole('button', { name: 'Pin', exact: true }).click();
      await page.getByTestId('pin-banner').waitFor();
      expect(await chat(relay, 'auto-fastest')).toMatchObject({ provider: 'alpha', model: 'alpha-only' });
      await groupRow(page, 'alpha-only').getByRole('button', { name: 'Unpin' }).click();
      await page.getByTestId('pin-banner').waitFor({ state: 'detached' });
      expect(await chat(relay, 'auto-fastest')).toMatchObject({ provider: 'alpha', model: 'shared-model' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('bans a route from its row (still listed, greyed, with Unban) and the next real request avoids it', async () => {
    expect((await chat(relay, 'shared-model')).provider).toBe('alpha');
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await expand(page, 'shared-model');
      const row = routeRow(page, 'alpha/shared-model');
      await row.getByRole('button', { name: 'Ban', exact: true }).click();
      await row.getByRole('button', { name: 'Unban' }).waitFor();
      expect(await row.getAttribute('class')).toContain('banned');
      expect(await row.locator('td.status').textContent()).toContain('banned');
      expect(await chat(relay, 'shared-model')).toMatchObject({ provider: 'beta' });
      expect(await chat(relay, 'auto-fastest')).not.toMatchObject({ provider: 'alpha', model: 'shared-model' });

      await row.getByRole('button', { name: 'Unban' }).click();
      await row.getByRole('button', { name: 'Ban', exact: true }).waitFor();
      expect(await chat(relay, 'shared-model')).toMatchObject({ provider: 'alpha' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('probes a route now and shows the result inline', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await expand(page, 'shared-model');
      const row = routeRow(page, 'beta/shared-model');
      await row.getByRole('button', { name: 'Probe' }).click();
      await expect.poll(() => row.getByTestId('probe-result').textContent(), { timeout: 5_000 }).toMatch(/^\d+ ms$/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('is reachable by keyboard with a visible focus ring, and Enter opens a group', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await groupRow(page, 'shared-model').waitFor();
      // The rows are laid out as grids; the browser must still expose a table to assistive tech.
      const tree = (await (await context.newCDPSession(page)).send('Accessibility.getFullAXTree')) as { nodes: Array<{ role?: { value?: string } }> };
      const roles = tree.nodes.map((node) => node.role?.value);
      expect(roles).toContain('table');
      expect(roles.filter((role) => role === 'columnheader').length).toBeGreaterThanOrEqual(11);
      expect(roles.filter((role) => role === 'row').length).toBeGreaterThanOrEqual(3);
      const focused = () => page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element) return null;
        const style = getComputedStyle(element);
        return { tag: element.tagName, type: element.getAttribute('type'), text: element.textContent?.trim() ?? '', classes: element.className, outline: style.outlineStyle, width: style.outlineWidth, visible: element.matches(':focus-visible') };
      });
      const tabTo = async (match: (state: NonNullable<Awaited<ReturnType<typeof focused>>>) => boolean) => {
        for (let step = 0; step < 60; step++) {
          await page.keyboard.press('Tab');
          const state = await focused();
          if (state && match(state)) return state;
        }
        throw new Error('never reached by Tab');
      };
      const search = await tabTo((state) => state.tag === 'INPUT' && state.type === 'search');
      expect(search.visible).toBe(true);
      expect(search.outline).toBe('solid');
      expect(search.width).toBe('2px');

      const sort = await tabTo((state) => state.tag === 'BUTTON' && String(state.classes).includes('sort'));
      expect(sort.text).toContain('Model');
      expect(sort.visible).toBe(true);
      expect(sort.outline).toBe('solid');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('th[aria-sort="ascending"]').textContent()).toContain('Model');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('th[aria-sort="descending"]').textContent()).toContain('Model');

      const toggle = await tabTo((state) => state.tag === 'BUTTON' && String(state.classes).includes('expand') && state.text.includes('shared-model'));
      expect(toggle.visible).toBe(true);
      expect(toggle.outline).toBe('solid');
      await page.keyboard.press('Enter');
      await routeRow(page, 'alpha/shared-model').waitFor();
      expect(await groupRow(page, 'shared-model').locator('button.expand').getAttribute('aria-expanded')).toBe('true');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('searches and filters, and says when nothing matches', async () => {
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await groupRow(page, 'shared-model').waitFor();
      await page.getByLabel('Search models').fill('beta');
      await expect.poll(() => page.locator('tr.group').count()).toBe(1);
      await page.getByLabel('Search models').fill('');
      await page.getByRole('button', { name: 'vision' }).click();
      await page.getByText('No model matches these filters.').waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => page.locator('tr.group').count()).toBe(2);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renders in light and dark without console errors or CSP violations', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models', colorScheme });
      try {
        await groupRow(page, 'shared-model').waitFor();
        await expand(page, 'shared-model');
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(colorScheme === 'dark' ? 'rgb(17, 20, 24)' : 'rgb(247, 248, 250)');
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});

describe('the Models view with hostile and large fleets', () => {
  let browser: Browser;
  const upstreams: FakeUpstream[] = [];
  const relays: TestRelay[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const relay of relays) await relay.close();
    for (const upstream of upstreams) await upstream.close();
  });

  async function fleet(models: Array<{ id: string; contextWindow?: number }>, options: Parameters<typeof startFakeUpstream>[0] = {}): Promise<TestRelay> {
    const upstream = await startFakeUpstream({ ...options, models });
    upstreams.push(upstream);
    const relay = await startTestRelay({ config: endpointsConfig([{ id: 'fleet', baseUrl: upstream.url, discovery: true }]) });
    relays.push(relay);
    return relay;
  }

  it('renders upstream-supplied model names and error texts as text, never as HTML', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const bold = '<b>bold</b>';
    const relay = await fleet([{ id: hostile }, { id: bold }], {
      behavior: { status: 500, errorBody: openAiError('<img src=y onerror=alert(2)> broke', 'server_error') },
    });
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await expect.poll(() => page.locator('tr.group').count(), { timeout: 5_000 }).toBe(2);
      // Group names are the canonical ids the relay derives from the models' own; still plain text.
      const groups = await page.locator('tr.group').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-group') ?? ''));
      expect(await page.locator('tr.group .label').allTextContents()).toEqual(groups);
      for (const group of groups) await expand(page, group);
      await expect.poll(() => page.locator('tr.route').count()).toBe(2);
      const models = await page.locator('tr.route .sub .model').allTextContents();
      expect(models.sort()).toEqual([bold, hostile].sort());
      const row = routeRow(page, `fleet/${hostile}`);
      await row.getByRole('button', { name: 'Probe' }).click();
      await expect.poll(() => row.locator('td.error .error-text').textContent(), { timeout: 5_000 }).toContain('<img src=y onerror=alert(2)>');
      expect(await page.locator('main img, main b').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renders 300 routes, scrolls and searches them', async () => {
    const models = Array.from({ length: 300 }, (_, index) => ({ id: `bulk-model-${String(index).padStart(3, '0')}`, contextWindow: 8192 * ((index % 4) + 1) }));
    const relay = await fleet(models);
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await expect.poll(() => page.locator('tr.group').count(), { timeout: 10_000 }).toBe(300);
      const last = groupRow(page, 'bulk-model-299');
      await last.scrollIntoViewIfNeeded();
      expect(await last.isVisible()).toBe(true);
      await page.getByLabel('Search models').fill('model-29');
      await expect.poll(() => page.locator('tr.group').count()).toBe(10);
      expect(await page.getByText('10 of 300 models').count()).toBe(1);
      await page.getByLabel('Search models').fill('');
      await expect.poll(() => page.locator('tr.group').count()).toBe(300);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('with no routes says how to get some', async () => {
    const relay = await startTestRelay({ config: { version: 1 } });
    relays.push(relay);
    const { page, context, problems } = await openDashboard(browser, relay, { hash: '#/models' });
    try {
      await page.getByTestId('models-empty').waitFor();
      expect(await page.getByTestId('models-empty').getByRole('link', { name: 'Providers & keys' }).getAttribute('href')).toBe('#/providers');
      expect(await page.getByTestId('models-empty').getByRole('link', { name: 'start the demo' }).getAttribute('href')).toBe('#/welcome');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.runIf(SCREENSHOTS)('saves a screenshot for the docs', async () => {
    const speeds: Array<[string, number, string[]]> = [
      ['groq', 40, ['llama-3.3-70b-versatile', 'qwen3-32b', 'gpt-oss-120b']],
      ['cerebras', 25, ['llama-3.3-70b', 'qwen-3-32b', 'gpt-oss-120b']],
      ['openrouter', 260, ['meta-llama/llama-3.3-70b-instruct:free', 'deepseek/deepseek-chat-v3:free', 'qwen/qwen3-32b:free']],
      ['nvidia', 520, ['meta/llama-3.3-70b-instruct', 'deepseek-ai/deepseek-r1', 'mistralai/codestral-22b']],
    ];
    const windows = [131_072, 32_768, 65_536];
    const endpoints = [];
    for (const [id, ttftMs, models] of speeds) {
      const upstream = await startFakeUpstream({
        models: models.map((model, index) => ({ id: model, contextWindow: windows[index] as number })),
        behavior: (_request, index) => (id === 'nvidia' && index % 3 === 2 ? { status: 503 } : { ttftMs: ttftMs + (index % 4) * ttftMs * 0.2, interChunkMs: 4 }),
      });
      upstreams.push(upstream);
      endpoints.push({ id, baseUrl: upstream.url, discovery: true });
    }
    const relay = await startTestRelay({ config: endpointsConfig(endpoints, { routing: { priority: speeds.map(([id]) => id), exploration: 0 } }) });
    relays.push(relay);
    for (let round = 0; round < 6; round++) {
      await Promise.all(speeds.flatMap(([id, , models]) => models.map((model) => chat(relay, `${id}/${model}`))));
    }
    const { page, context } = await openDashboard(browser, relay, { hash: '#/models', colorScheme: 'light', viewport: { width: 1280, height: 860 } });
    try {
      await groupRow(page, 'llama-3.3-70b').waitFor();
      await expand(page, 'llama-3.3-70b');
      await routeRow(page, 'nvidia/meta/llama-3.3-70b-instruct').waitFor();
      await page.mouse.move(0, 0);
      await mkdir(join(root, 'docs/screenshots'), { recursive: true });
      await page.screenshot({ path: join(root, 'docs/screenshots/models.png') });
    } finally {
      await context.close();
    }
  }, 60_000);
});
