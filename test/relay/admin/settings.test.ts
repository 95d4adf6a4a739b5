import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, SettingsResponse } from '../../../relay/admin/dto.js';
import { createRelay, type DesktopCapabilities, type Relay } from '../../../relay/index.js';
import { MemorySecretStore } from '../../../relay/keys/secret-store.js';
import { adminCaller, freePort } from '../../helpers/admin-call.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { rawRequest } from '../../helpers/http.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

const TOKEN = 'relay-token-0123456789abcdef';

async function readJson(path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'));
}

function chat(origin: string, model: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
}

describe('GET and PATCH /admin/settings', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  /** Where the relay is now (it moves in some tests). */
  let origin: string;
  const call = adminCaller(() => origin, () => relay.relay.adminToken);

  beforeAll(async () => {
    upstream = await startFakeUpstream({ behavior: { text: 'one two three four five six' } });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  async function start(extra: Record<string, unknown> = {}, free = true): Promise<void> {
    relay = await startTestRelay({ config: endpointsConfig([{ id: 'local', baseUrl: upstream.url, models: ['fake-small'] }].map((endpoint) => ({ ...endpoint, free })), extra) });
    origin = relay.url;
  }
  afterEach(async () => {
    await relay?.close();
    upstream.reset();
    upstream.setBehavior({ text: 'one two three four five six' });
  });

  it('shows the settings, headless: no desktop abilities', async () => {
    await start();
    const { status, body } = await call<SettingsResponse>('GET', '/settings');
    expect(status).toBe(200);
    expect(body.settings).toEqual({
      server: { host: '127.0.0.1', port: 4747, lan: false, allowedHosts: [], tokenSet: false, bodyLimitMb: 32, listening: { host: '127.0.0.1', port: relay.port, url: relay.url } },
      routing: { policy: 'free-first', exploration: 0.02, maxRetryWaitMs: 2000 },
      timeouts: { connectMs: 10_000, firstTokenMs: 60_000, idleMs: 120_000, totalMs: 180_000 },
      probe: { enabled: true, contenderIntervalSeconds: 90, tailIntervalMinutes: 60, quotaSharePercent: 2 },
      requests: { keepBodies: false },
      ui: { theme: 'system' },
      desktop: { startAtLogin: null, notifications: null },
    });
    expect(body.movedTo).toBeUndefined();
  });

  it('saves changes in one write, keeps every other setting and fires the config event', async () => {
    await start({ routing: { priority: ['local'], bans: ['local/nothing'] } });
    const configs: unknown[] = [];
    relay.relay.events.on('config', (config) => configs.push(config));
    const { status, body } = await call<SettingsResponse>('PATCH', '/settings', {
      body: { ui: { theme: 'dark' }, routing: { policy: 'any', exploration: 0.05 }, probe: { tailIntervalMinutes: 30, enabled: false }, requests: { keepBodies: true }, server: { allowedHosts: ['My-Laptop.local'] } },
    });
    expect(status).toBe(200);
    expect(body.settings.ui.theme).toBe('dark');
    expect(body.settings.routing).toEqual({ policy: 'any', exploration: 0.05, maxRetryWaitMs: 2000 });
    expect(body.settings.probe).toMatchObject({ enabled: false, tailIntervalMinutes: 30, contenderIntervalSeconds: 90 });
    expect(body.settings.server.allowedHosts).toEqual(['my-laptop.local']);
    expect(body.movedTo).toBeUndefined();
    expect(configs).toHaveLength(1);
    const saved = await readJson(join(relay.configDir, 'config.json'));
    expect(saved.ui.theme).toBe('dark');
    expect(saved.requests.keepBodies).toBe(true);
    expect(saved.routing).toMatchObject({ policy: 'any', priority: ['local'], bans: ['local/nothing'] });
    expect(saved.endpoints.map((endpoint: { id: string }) => endpoint.id)).toEqual(['local']);
  });

  it('refuses bad input with 400, naming the field, and saves nothing', async () => {
    await start();
    const before = await readFile(join(relay.configDir, 'config.json'), 'utf8');
    const cases: Array<[unknown, string]> = [
      [{ server: { port: 80 } }, 'server.port'],
      [{ server: { port: 0 } }, 'server.port'],
      [{ server: { port: 4747.5 } }, 'server.port'],
      [{ server: { lan: 'yes' } }, 'server.lan'],
      [{ server: { allowedHosts: ['http://evil.example:80'] } }, 'server.allowedHosts[0]'],
      [{ timeouts: { connectMs: 5 } }, 'timeouts.connectMs'],
      [{ routing: { policy: 'cheapest' } }, 'routing.policy'],
      [{ routing: { exploration: 0.9 } }, 'routing.exploration'],
      [{ probe: { quotaSharePercent: 50 } }, 'probe.quotaSharePercent'],
      [{ probe: { contenderIntervalSeconds: 1 } }, 'probe.contenderIntervalSeconds'],
      [{ ui: { theme: 'pink' } }, 'ui.theme'],
      [{ server: { host: '0.0.0.0' } }, 'server.host'],
      [{ nonsense: true }, 'nonsense'],
    ];
    for (const [body, field] of cases) {
      const answer = await call<ApiErrorBody>('PATCH', '/settings', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_settings' });
      expect(answer.body.error.message).toContain(`${field}:`);
    }
    const notObject = await call<ApiErrorBody>('PATCH', '/settings', { body: [1, 2] });
    expect(notObject.status).toBe(400);
    expect(await readFile(join(relay.configDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('refuses LAN exposure without a relay token (409), then allows it with one and moves at once', async () => {
    await start();
    const refused = await call<ApiErrorBody>('PATCH', '/settings', { body: { server: { lan: true } } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ type: 'conflict_error', code: 'token_required' });
    expect((await readJson(join(relay.configDir, 'config.json'))).server?.host).not.toBe('0.0.0.0');

    expect((await call('PUT', '/token', { body: { token: TOKEN } })).status).toBe(200);
    const exposed = await call<SettingsResponse>('PATCH', '/settings', { body: { server: { lan: true } } });
    expect(exposed.status).toBe(200);
    expect(exposed.body.settings.server).toMatchObject({ host: '0.0.0.0', lan: true, tokenSet: true, listening: { host: '0.0.0.0', port: relay.port } });
    // Same port on all addresses: the page continues under the name it used.
    expect(exposed.body.movedTo).toBe(`http://127.0.0.1:${relay.port}`);
    expect((await readJson(join(relay.configDir, 'config.json'))).server.host).toBe('0.0.0.0');
    expect(await readJson(join(relay.configDir, 'relay.json'))).toMatchObject({ host: '0.0.0.0', port: relay.port, url: `http://0.0.0.0:${relay.port}` });
    // Still answers on loopback, and now requires the token.
    expect((await chat(origin, 'local/fake-small')).status).toBe(401);
    expect((await chat(origin, 'local/fake-small', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);

    // The token cannot go while the relay is exposed.
    const removal = await call<ApiErrorBody>('DELETE', '/token');
    expect(removal.status).toBe(409);
    expect(removal.body.error.code).toBe('token_required');

    const back = await call<SettingsResponse>('PATCH', '/settings', { body: { server: { lan: false } } });
    expect(back.status).toBe(200);
    expect(back.body.settings.server).toMatchObject({ host: '127.0.0.1', lan: false, listening: { host: '127.0.0.1', port: relay.port } });
    expect((await call('DELETE', '/token')).status).toBe(200);
  });

  it('moves to a new port at once, finishing requests in flight on the old one', async () => {
    await start();
    const oldPort = relay.port;
    const newPort = await freePort();
    upstream.setBehavior({ text: 'one two three four five six', interChunkMs: 60 });
    const streaming = await chat(origin, 'local/fake-small');
    expect(streaming.status).toBe(200);
    const reading = streaming.text();

    const moved = await call<SettingsResponse>('PATCH', '/settings', { body: { server: { port: newPort } } });
    expect(moved.status).toBe(200);
    expect(moved.body.movedTo).toBe(`http://127.0.0.1:${newPort}`);
    expect(moved.body.settings.server).toMatchObject({ port: newPort, listening: { host: '127.0.0.1', port: newPort, url: `http://127.0.0.1:${newPort}` } });

    // The stream that started before the move ends normally.
    const text = await reading;
    expect(text).toContain('six');
    expect(text).toContain('[DONE]');

    // The old address is closed to new connections; the new one answers.
    await expect(rawRequest(oldPort, { path: '/admin/status', headers: { host: `127.0.0.1:${oldPort}` }, timeoutMs: 1000 })).rejects.toThrow();
    origin = `http://127.0.0.1:${newPort}`;
    const status = await call<{ url: string }>('GET', '/status');
    expect(status.status).toBe(200);
    expect(status.body.url).toBe(origin);
    expect((await readJson(join(relay.configDir, 'config.json'))).server.port).toBe(newPort);
    expect(await readJson(join(relay.configDir, 'relay.json'))).toMatchObject({ port: newPort, url: origin, pid: process.pid });
  });

  it('answers 409 port_in_use and changes nothing when the new port is taken', async () => {
    await start();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const before = await readFile(join(relay.configDir, 'config.json'), 'utf8');
      const answer = await call<ApiErrorBody>('PATCH', '/settings', { body: { server: { port: taken }, ui: { theme: 'light' } } });
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({ type: 'conflict_error', code: 'port_in_use' });
      expect(answer.body.error.message).toContain(String(taken));
      expect(await readFile(join(relay.configDir, 'config.json'), 'utf8')).toBe(before);
      const settings = await call<SettingsResponse>('GET', '/settings');
      expect(settings.body.settings.server.listening?.port).toBe(relay.port);
      expect(settings.body.settings.ui.theme).toBe('system');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('moves through relay.rebind() too, without touching the settings', async () => {
    await start();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await expect(relay.relay.rebind('127.0.0.1', taken)).rejects.toMatchObject({ name: 'PortInUseError' });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    expect((await call('GET', '/status')).status).toBe(200);
    const port = await freePort();
    const address = await relay.relay.rebind('127.0.0.1', port);
    expect(address).toEqual({ host: '127.0.0.1', port, url: `http://127.0.0.1:${port}` });
    origin = address.url;
    const settings = await call<SettingsResponse>('GET', '/settings');
    expect(settings.body.settings.server).toMatchObject({ port: 4747, listening: address });
  });

  it('applies routing policy and timeouts to the next request', async () => {
    await start({}, false);
    upstream.setBehavior({ text: 'slow answer', ttftMs: 400 });
    expect((await chat(origin, 'local/fake-small')).status).toBe(200);

    expect((await call('PATCH', '/settings', { body: { timeouts: { firstTokenMs: 100 } } })).status).toBe(200);
    const timedOut = await chat(origin, 'local/fake-small');
    expect(timedOut.status).toBeGreaterThanOrEqual(500);
    await timedOut.text();

    expect((await call('PATCH', '/settings', { body: { timeouts: { firstTokenMs: 60_000 }, routing: { policy: 'free-only' } } })).status).toBe(200);
    // The only endpoint is paid: free-only leaves nothing to serve.
    const paid = await chat(origin, 'local/fake-small');
    expect(paid.status).toBeGreaterThanOrEqual(400);
    expect(paid.status).toBeLessThan(500);
    await paid.text();
    expect((await call('PATCH', '/settings', { body: { routing: { policy: 'any' } } })).status).toBe(200);
    expect((await chat(origin, 'local/fake-small')).status).toBe(200);
  });

  it('stops background probes when probe.enabled is false; probe now still works', async () => {
    await start();
    upstream.reset();
    expect((await call('PATCH', '/settings', { body: { probe: { enabled: false } } })).status).toBe(200);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(0);
    const probed = await call<{ outcome: string }>('POST', '/probe', { body: { route: 'local/fake-small' } });
    expect(probed.body.outcome).toBe('ok');
    expect(upstream.chatRequests()).toHaveLength(1);

    expect((await call('PATCH', '/settings', { body: { probe: { enabled: true, contenderIntervalSeconds: 15 } } })).status).toBe(200);
    upstream.reset();
    // Measured a moment ago by "probe now": not due yet.
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it('refuses desktop-only settings headless', async () => {
    await start();
    for (const desktop of [{ startAtLogin: true }, { notifications: true }]) {
      const answer = await call<ApiErrorBody>('PATCH', '/settings', { body: { desktop } });
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('desktop_unavailable');
    }
  });

  it('refuses a foreign Origin on the settings even when it is allowed for the relay endpoints', async () => {
    await start({ server: { allowedOrigins: ['https://chat.example'] } });
    const read = await call<ApiErrorBody>('GET', '/settings', { headers: { origin: 'https://chat.example' } });
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('origin_not_allowed');
    const write = await call<ApiErrorBody>('PATCH', '/settings', { body: { ui: { theme: 'dark' } }, headers: { origin: 'https://chat.example' } });
    expect(write.status).toBe(403);
    expect((await readJson(join(relay.configDir, 'config.json'))).ui?.theme).not.toBe('dark');
    // The relay endpoints still accept that origin, as configured.
    expect((await chat(origin, 'local/fake-small', { origin: 'https://chat.example' })).status).toBe(200);
  });
});

describe('settings with the desktop app', () => {
  let relay: Relay;
  let configDir: string;
  let atLogin = false;
  const sets: boolean[] = [];
  const desktop: DesktopCapabilities = {
    startAtLogin: {
      get: () => atLogin,
      set: async (enabled) => {
        sets.push(enabled);
        atLogin = enabled;
      },
    },
  };
  let origin = '';
  const call = adminCaller(() => origin, () => relay.adminToken);

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
    relay = await createRelay({ configDir, secretStore: new MemorySecretStore(), env: {}, detectLocal: false, logger: { info() {}, warn() {}, error() {} }, port: 0, probe: false, dashboardDir: null, desktop });
    origin = (await relay.listen()).url;
  });
  afterAll(async () => {
    await relay?.close();
    await rm(configDir, { recursive: true, force: true });
  });

  it('shows and changes start at login through the desktop, and notifications in the settings', async () => {
    const shown = await call<SettingsResponse>('GET', '/settings');
    expect(shown.body.settings.desktop).toEqual({ startAtLogin: false, notifications: false });

    const events: unknown[] = [];
    relay.events.on('config', (config) => events.push(config));
    const changed = await call<SettingsResponse>('PATCH', '/settings', { body: { desktop: { startAtLogin: true } } });
    expect(changed.status).toBe(200);
    expect(sets).toEqual([true]);
    expect(changed.body.settings.desktop).toEqual({ startAtLogin: true, notifications: false });
    expect(events).toHaveLength(1);

    const notify = await call<SettingsResponse>('PATCH', '/settings', { body: { desktop: { notifications: true } } });
    expect(notify.body.settings.desktop).toEqual({ startAtLogin: true, notifications: true });
    expect((await readJson(join(configDir, 'config.json'))).desktop.notifications).toBe(true);
    expect(sets).toEqual([true]);
  });
});

describe('probe settings in the prober', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  const clock = new FakeClock();
  const call = adminCaller(() => relay.url, () => relay.relay.adminToken);

  beforeAll(async () => {
    upstream = await startFakeUpstream({ behavior: { text: 'one two three' } });
    relay = await startTestRelay({
      config: endpointsConfig([{ id: 'local', baseUrl: upstream.url, models: ['fake-small'] }]),
      now: clock.now,
      random: () => 0.5,
    });
  });
  afterAll(async () => {
    await relay?.close();
    await upstream?.close();
  });

  it('reschedules at the next round when the cadence changes', async () => {
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(1);
    expect(relay.relay.routing.contenders()).toEqual(['local/fake-small']);

    // Idle relay: a contender waits 4 × 90 s by default.
    clock.advance(70_000);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(1);

    expect((await call('PATCH', '/settings', { body: { probe: { contenderIntervalSeconds: 15 } } })).status).toBe(200);
    // 4 × 15 s after the last measurement has passed: due now.
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(2);

    clock.advance(30_000);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(2);
    clock.advance(31_000);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(3);

    // Slower again: the next probe waits for the new, longer interval.
    expect((await call('PATCH', '/settings', { body: { probe: { contenderIntervalSeconds: 600 } } })).status).toBe(200);
    clock.advance(61_000);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(3);
    clock.advance(4 * 600_000);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(4);
  });
});

describe('probe quota share', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  const call = adminCaller(() => relay.url, () => relay.relay.adminToken);

  beforeAll(async () => {
    upstream = await startFakeUpstream({ behavior: { text: 'one two three' } });
    // Groq has a free daily quota; here it points at the fake upstream.
    relay = await startTestRelay({ config: { version: 1, providers: { groq: { baseUrl: upstream.url, discovery: false } } }, env: { GROQ_API_KEY: 'gsk-test-0123456789abcdef' } });
  });
  afterAll(async () => {
    await relay?.close();
    await upstream?.close();
  });

  it('spends nothing of a metered quota at 0 %, and probes again once a share is allowed', async () => {
    expect((await call('PATCH', '/settings', { body: { probe: { quotaSharePercent: 0 } } })).status).toBe(200);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests()).toHaveLength(0);
    expect((await call('PATCH', '/settings', { body: { probe: { quotaSharePercent: 2 } } })).status).toBe(200);
    await relay.relay.routing.runProbes();
    expect(upstream.chatRequests().length).toBeGreaterThan(0);
  });
});
