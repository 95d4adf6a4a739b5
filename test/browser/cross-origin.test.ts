import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoView, QosResponse } from '../../relay/admin/dto.js';
import { launchBrowser, openDashboard } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../helpers/start-relay.js';

/**
 * A page from another origin, in the same browser that holds the admin cookie, tries every way a
 * web page has to read or change the relay's admin API. Another port on 127.0.0.1 is the hardest
 * case: it is the same *site*, so even a SameSite=Strict cookie is sent along, and only the
 * relay's Origin check stands in the way.
 */
describe('a page from another origin', () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  let relay: TestRelay;
  let attacker: Server;
  let attackerOrigin: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    upstream = await startFakeUpstream();
    relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fast-model'] }]) });
    attacker = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title><p>another site</p>');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await upstream?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  async function adminGet<T>(path: string): Promise<T> {
    const response = await fetch(`${relay.url}/admin${path}`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } });
    return (await response.json()) as T;
  }

  it('can neither read nor change anything, though the browser holds the admin cookie', async () => {
    const { page, context } = await openDashboard(browser, relay);
    try {
      await page.getByTestId('auto-fastest-route').waitFor();
      expect((await context.cookies(relay.url)).some((cookie) => cookie.name === 'switchboard_admin')).toBe(true);

      await page.goto(`${attackerOrigin}/`);
      const attempts = await page.evaluate(async (target) => {
        const results: Record<string, string> = {};
        const read = async (name: string, request: () => Promise<Response>) => {
          try {
            const response = await request();
            results[name] = `status ${response.status} type ${response.type}: ${(await response.text()).slice(0, 200)}`;
          } catch (error) {
            results[name] = `failed: ${String(error)}`;
          }
        };
        await read('status', () => fetch(`${target}/admin/status`, { credentials: 'include' }));
        await read('keys', () => fetch(`${target}/admin/keys`, { credentials: 'include' }));
        await read('models', () => fetch(`${target}/v1/models`, { credentials: 'include' }));
        // A PUT needs a CORS preflight, which the relay never grants.
        await read('pin', () =>
          fetch(`${target}/admin/routing/pin`, { method: 'PUT', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin: { kind: 'route', target: 'fake/fast-model' } }) }),
        );
        // Simple requests need no preflight: the browser sends them, cookie and all.
        await read('demo', () =>
          fetch(`${target}/admin/demo`, { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ running: true }) }),
        );
        await read('chat', () =>
          fetch(`${target}/v1/chat/completions`, { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ model: 'auto-fastest', messages: [{ role: 'user', content: 'spend my quota' }] }) }),
        );
        results['events'] = await new Promise<string>((resolve) => {
          const source = new EventSource(`${target}/admin/events`, { withCredentials: true });
          source.addEventListener('snapshot', () => resolve('snapshot received'));
          source.addEventListener('error', () => {
            source.close();
            resolve('refused');
          });
        });
        // A form posts cross-origin with no script at all.
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = `${target}/admin/demo`;
        form.target = 'sink';
        const sink = document.createElement('iframe');
        sink.name = 'sink';
        document.body.append(sink, form);
        const input = document.createElement('input');
        input.name = '{"running":true,"x":"';
        input.value = '"}';
        form.append(input);
        await new Promise<void>((resolve) => {
          sink.addEventListener('load', () => resolve(), { once: true });
          form.submit();
        });
        // The dashboard itself in a frame: refused by frame-ancestors / X-Frame-Options.
        const frame = document.createElement('iframe');
        frame.src = `${target}/`;
        document.body.append(frame);
        await new Promise((resolve) => setTimeout(resolve, 300));
        try {
          results['frame'] = frame.contentDocument?.body?.innerHTML ?? 'no access';
        } catch (error) {
          results['frame'] = `no access: ${String(error)}`;
        }
        return results;
      }, relay.url);

      // Nothing was readable: cross-origin reads fail, no-cors answers are opaque.
      for (const name of ['status', 'keys', 'models', 'pin']) expect(attempts[name]).toMatch(/^failed:/);
      for (const name of ['demo', 'chat']) expect(attempts[name]).toBe('status 0 type opaque: ');
      expect(attempts['events']).toBe('refused');
      expect(attempts['frame']).toMatch(/^no access/);

      // Nothing changed, and no request reached the upstream.
      const qos = await adminGet<QosResponse>('/qos');
      expect(qos.pin).toBeNull();
      expect((await adminGet<DemoView>('/demo')).running).toBe(false);
      expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(0);
    } finally {
      await context.close();
    }
  });

  it('the relay refuses those requests itself, not only the browser: they carry the foreign Origin', async () => {
    const response = await fetch(`${relay.url}/admin/routing/pin`, {
      method: 'PUT',
      headers: { origin: attackerOrigin, cookie: `switchboard_admin=${relay.relay.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pin: { kind: 'route', target: 'fake/fast-model' } }),
    });
    expect(response.status).toBe(403);
    expect((await adminGet<QosResponse>('/qos')).pin).toBeNull();
  });
});
