import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigEvent, DemoView, EndpointsResponse, IntegrationPreviewResponse, IntegrationsResponse, ProvidersResponse, RequestsResponse, StatusResponse } from '../../../relay/admin/dto.js';
import type { DemoSimulationOptions } from '../../../relay/demo/profiles.js';
import { createRelay, type Relay } from '../../../relay/index.js';
import { MemorySecretStore } from '../../../relay/keys/secret-store.js';

/**
 * Demo mode through the relay's real paths: the simulators are reached by the OpenAI-compatible
 * adapter, routed by auto-fastest, failed over from, measured by the prober, and switched on
 * and off by the admin API, all without a key and without touching config.json.
 */

const INSTANT: DemoSimulationOptions = { seed: 1, timeScale: 0, profiles: { 'demo-flaky': { failureRate: 0, resetRate: 0 } } };

interface DemoRelay {
  relay: Relay;
  url: string;
  configDir: string;
  configPath: string;
  admin<T>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  sdk(): OpenAI;
}

describe('demo mode in the relay', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startRelay(options: { demo?: boolean; simulation?: DemoSimulationOptions; config?: Record<string, unknown>; probe?: boolean } = {}): Promise<DemoRelay> {
    const configDir = await mkdtemp(join(tmpdir(), 'switchboard-demo-'));
    cleanups.push(() => rm(configDir, { recursive: true, force: true }));
    const configPath = join(configDir, 'config.json');
    await writeFile(configPath, `${JSON.stringify({ version: 1, ...options.config }, null, 2)}\n`, { mode: 0o600 });
    const relay = await createRelay({
      configDir,
      secretStore: new MemorySecretStore(),
      // Client detection (integrations) looks only inside this temporary home.
      env: { HOME: configDir, XDG_CONFIG_HOME: join(configDir, 'xdg'), APPDATA: join(configDir, 'appdata') },
      detectLocal: false,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      port: 0,
      probe: options.probe ?? false,
      random: () => 0.5,
      dashboardDir: null,
      demo: options.demo ?? false,
      demoSimulation: options.simulation ?? INSTANT,
    });
    const { url } = await relay.listen();
    cleanups.push(() => relay.close());
    return {
      relay,
      url,
      configDir,
      configPath,
      async admin<T>(method: string, path: string, body?: unknown, token: string | null = relay.adminToken) {
        const headers: Record<string, string> = {};
        if (token !== null) headers.authorization = `Bearer ${token}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        const response = await fetch(`${url}/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: response.status, body: (await response.json()) as T };
      },
      sdk: () => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 }),
    };
  }

  it('serves auto-fastest from a simulated provider through the OpenAI SDK, with no key at all', async () => {
    const demo = await startRelay({ demo: true });
    const client = demo.sdk();
    const { data, response } = await client.chat.completions.create({ model: 'auto-fastest', messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
    expect(response.headers.get('x-switchboard-provider')).toMatch(/^demo-(fast|slow|flaky)$/);
    expect(data.choices[0]?.message.content?.toLowerCase()).toContain('simulated');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);

    const models = await client.models.list();
    const ids = models.data.map((model) => model.id);
    for (const id of ['demo-fast/sim-small', 'demo-slow/sim-large', 'demo-flaky/sim-small']) expect(ids).toContain(id);
  });

  it('streams through the SDK, usage included', async () => {
    const demo = await startRelay({ demo: true });
    const stream = await demo.sdk().chat.completions.create({
      model: 'demo-slow/sim-medium',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Count from 1 to 12.' }],
    });
    let text = '';
    let completionTokens: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(text).toBe('1 2 3 4 5 6 7 8 9 10 11 12');
    expect(completionTokens).toBe(12);
  });

  it('fails over from the flaky provider: the request succeeds elsewhere and says it took two attempts', async () => {
    const demo = await startRelay({
      demo: true,
      simulation: { seed: 1, timeScale: 0, profiles: { 'demo-flaky': { failureRate: 1 } } },
      // Flaky first, so the failover is certain rather than left to measurements.
      config: { routing: { priority: ['demo-flaky', 'demo-fast', 'demo-slow'] } },
    });
    const client = demo.sdk();
    const { data, response } = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
    expect(response.headers.get('x-switchboard-provider')).toBe('demo-fast');
    expect(Number(response.headers.get('x-switchboard-attempts'))).toBeGreaterThan(1);
    expect(data.choices[0]?.message.content).toContain('demo-fast');

    const stream = await client.chat.completions.create({ model: 'sim-large', stream: true, messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
    expect(stream.response.headers.get('x-switchboard-provider')).toBe('demo-slow');
    expect(Number(stream.response.headers.get('x-switchboard-attempts'))).toBe(2);
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('demo-slow');

    const { body } = await demo.admin<RequestsResponse>('GET', '/requests');
    const first = body.requests[0];
    expect(first?.attempts.map((attempt) => [attempt.provider, attempt.outcome === 'ok'])).toEqual([
      ['demo-flaky', false],
      ['demo-fast', true],
    ]);
  });

  it('turns on and off through POST /admin/demo, idempotently, and reports it in status', async () => {
    const demo = await startRelay();
    const configBefore = await readFile(demo.configPath);
    const configEvents: unknown[] = [];
    demo.relay.events.on('config', (config: unknown) => configEvents.push(config));

    expect((await demo.admin<DemoView>('GET', '/demo')).body).toEqual({ running: false, providers: [] });
    expect((await demo.admin<StatusResponse>('GET', '/status')).body.demo).toBe(false);

    const on = await demo.admin<DemoView>('POST', '/demo', { running: true });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ running: true, providers: ['demo-fast', 'demo-slow', 'demo-flaky'] });
    expect(configEvents).toHaveLength(1);
    const status = (await demo.admin<StatusResponse>('GET', '/status')).body;
    expect(status.demo).toBe(true);
    expect(status.readyProviders).toEqual(expect.arrayContaining(['demo-fast', 'demo-slow', 'demo-flaky']));

    const providers = (await demo.admin<ProvidersResponse>('GET', '/providers')).body.providers.filter((provider) => provider.id.startsWith('demo-'));
    expect(providers.map((provider) => [provider.id, provider.name, provider.simulated, provider.free, provider.status])).toEqual([
      ['demo-fast', 'Demo Fast (simulated)', true, true, 'ready'],
      ['demo-slow', 'Demo Slow (simulated)', true, true, 'ready'],
      ['demo-flaky', 'Demo Flaky (simulated)', true, true, 'ready'],
    ]);
    const realOnes = (await demo.admin<ProvidersResponse>('GET', '/providers')).body.providers.filter((provider) => !provider.id.startsWith('demo-'));
    expect(realOnes.some((provider) => provider.simulated !== undefined)).toBe(false);
    const baseUrls = providers.map((provider) => provider.baseUrl);

    // Starting again changes nothing: the same simulators keep serving.
    const again = await demo.admin<DemoView>('POST', '/demo', { running: true });
    expect(again.body.running).toBe(true);
    const after = (await demo.admin<ProvidersResponse>('GET', '/providers')).body.providers.filter((provider) => provider.id.startsWith('demo-'));
    expect(after.map((provider) => provider.baseUrl)).toEqual(baseUrls);

    const answer = await demo.sdk().chat.completions.create({ model: 'auto-fastest', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.choices[0]?.message.content).toContain('simulated');
    // Never a custom endpoint of the settings.
    expect((await demo.admin<EndpointsResponse>('GET', '/endpoints')).body.endpoints).toEqual([]);

    const off = await demo.admin<DemoView>('POST', '/demo', { running: false });
    expect(off.body).toEqual({ running: false, providers: [] });
    expect((await demo.admin<StatusResponse>('GET', '/status')).body.demo).toBe(false);
    expect(configEvents.length).toBeGreaterThanOrEqual(2);
    const remaining = (await demo.admin<ProvidersResponse>('GET', '/providers')).body.providers.map((provider) => provider.id);
    expect(remaining.filter((id) => id.startsWith('demo-'))).toEqual([]);
    // The simulators are closed, not just forgotten.
    await expect(fetch(`${baseUrls[0]}/models`)).rejects.toThrow();
    expect((await demo.admin<DemoView>('POST', '/demo', { running: false })).body.running).toBe(false);
    await expect(demo.sdk().chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toThrow();

    expect((await readFile(demo.configPath)).equals(configBefore)).toBe(true);
  });

  it('leaves config.json byte for byte as it was when started with demo on and stopped', async () => {
    const demo = await startRelay({ demo: true, config: { routing: { policy: 'any' } } });
    const before = await readFile(demo.configPath);
    await demo.sdk().chat.completions.create({ model: 'auto-fastest', messages: [{ role: 'user', content: 'Hi' }] });
    await demo.admin('POST', '/demo', { running: false });
    await demo.admin('POST', '/demo', { running: true });
    await demo.admin('POST', '/demo', { running: false });
    expect((await readFile(demo.configPath)).equals(before)).toBe(true);
    expect((await readFile(demo.configPath, 'utf8')).includes('demo')).toBe(false);
  });

  it('the dashboard event stream sends a config event when demo mode starts', async () => {
    const demo = await startRelay();
    const controller = new AbortController();
    const response = await fetch(`${demo.url}/admin/events`, { headers: { authorization: `Bearer ${demo.relay.adminToken}` }, signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (marker: string) => {
      while (!text.includes(marker)) {
        const { done, value } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('event: snapshot');
    await demo.admin('POST', '/demo', { running: true });
    await readUntil('event: config');
    const data = /event: config\ndata: (.*)\n/.exec(text)?.[1];
    const event = JSON.parse(data ?? '{}') as ConfigEvent;
    expect(event.providers.filter((provider) => provider.id.startsWith('demo-')).map((provider) => provider.status)).toEqual(['ready', 'ready', 'ready']);
    controller.abort();
  });

  it('never offers the simulated models to coding agents: a client config must not name what vanishes', async () => {
    const demo = await startRelay({ demo: true });
    const { body } = await demo.admin<IntegrationsResponse>('GET', '/integrations');
    const ids = body.target.models.map((model) => model.id);
    expect(ids).toContain('auto-fastest');
    expect(ids.filter((id) => id.startsWith('sim-'))).toEqual([]);
    const { body: preview } = await demo.admin<IntegrationPreviewResponse>('POST', '/integrations/opencode/preview', {});
    expect(preview.diff).not.toContain('sim-');
  });

  it('requires the admin token to switch demo mode, and a boolean', async () => {
    const demo = await startRelay();
    expect((await demo.admin('POST', '/demo', { running: true }, null)).status).toBe(401);
    expect((await demo.admin('POST', '/demo', { running: true }, 'wrong-token-wrong-token-wrong-token')).status).toBe(401);
    expect((await demo.admin('GET', '/demo', undefined, null)).status).toBe(401);
    expect((await demo.admin<DemoView>('GET', '/demo')).body.running).toBe(false);
    expect((await demo.admin('POST', '/demo', { running: 'yes' })).status).toBe(400);
    expect((await demo.admin('POST', '/demo', {})).status).toBe(400);
  });

  it('the prober measures the simulated routes at once, so the QoS table fills within moments', async () => {
    // A tenth of real time: fast enough for a test, slow enough to measure a speed.
    const demo = await startRelay({ probe: true, simulation: { seed: 2, timeScale: 0.1, profiles: { 'demo-flaky': { failureRate: 0, resetRate: 0 } } } });
    await demo.admin('POST', '/demo', { running: true });
    const deadline = Date.now() + 3_000;
    let measured: string[] = [];
    while (Date.now() < deadline) {
      measured = demo.relay.routing
        .views()
        .filter((view) => view.provider.startsWith('demo-') && view.qos.samples > 0)
        .map((view) => view.id);
      if (measured.length === 6) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(measured.sort()).toEqual(['demo-fast/sim-medium', 'demo-fast/sim-small', 'demo-flaky/sim-large', 'demo-flaky/sim-small', 'demo-slow/sim-large', 'demo-slow/sim-medium']);
    const fast = demo.relay.routing.views().find((view) => view.id === 'demo-fast/sim-small');
    expect(fast?.qos.tokensPerSecond).toBeGreaterThan(0);

    // Stopping forgets them: nothing of the simulation is left in the table.
    await demo.admin('POST', '/demo', { running: false });
    expect(demo.relay.routing.views().filter((view) => view.provider.startsWith('demo-'))).toEqual([]);
  });
});
