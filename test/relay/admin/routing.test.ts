import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResponse, QosResponse, RequestsResponse } from '../../../relay/admin/dto.js';
import { scenarios, startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { openSse } from '../../helpers/sse-client.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

/** The routing side of the admin API and /metrics: what the dashboard and operators see. */

let relay: TestRelay | undefined;
let upstreams: FakeUpstream[] = [];
afterEach(async () => {
  await relay?.close();
  await Promise.all(upstreams.map((upstream) => upstream.close()));
  relay = undefined;
  upstreams = [];
});

async function setup(): Promise<TestRelay> {
  const fast = await startFakeUpstream();
  const slow = await startFakeUpstream({ behavior: { ttftMs: 40 } });
  upstreams = [fast, slow];
  relay = await startTestRelay({
    config: endpointsConfig([
      { id: 'fast', baseUrl: fast.url, models: ['llama-3.3-70b-versatile'] },
      { id: 'slow', baseUrl: slow.url, models: ['meta/llama-3.3-70b-instruct'] },
    ]),
  });
  return relay;
}

async function admin<T>(target: TestRelay, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${target.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${target.relay.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function chat(target: TestRelay, model = 'auto-fastest'): Promise<Response> {
  const response = await fetch(`${target.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `hello ${Math.random()}` }] }),
  });
  await response.text();
  return response;
}

describe('admin routing API', () => {
  it('shows every route with its QoS and the route auto-fastest would choose, with why', async () => {
    const target = await setup();
    const probe = await admin<ProbeResponse>(target, 'POST', '/probe', { route: 'fast/llama-3.3-70b-versatile' });
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ route: 'fast/llama-3.3-70b-versatile', outcome: 'ok' });
    expect(probe.body.ttftMs).toBeGreaterThanOrEqual(0);
    await admin(target, 'POST', '/probe', { route: 'slow/meta/llama-3.3-70b-instruct' });
    const { body } = await admin<QosResponse>(target, 'GET', '/qos');
    const fast = body.routes.find((route) => route.id === 'fast/llama-3.3-70b-versatile');
    expect(fast).toMatchObject({ provider: 'fast', group: 'llama-3.3-70b', status: 'up', servable: true, samples: 1, probesToday: 1 });
    expect(body.autoFastest?.route).toBe('fast/llama-3.3-70b-versatile');
    expect(body.autoFastest?.decision.candidates.map((candidate) => candidate.route)).toEqual(['fast/llama-3.3-70b-versatile', 'slow/meta/llama-3.3-70b-instruct']);
    expect((await admin(target, 'POST', '/probe', { route: 'nope/model' })).status).toBe(404);
  });

  it('pins and bans through the admin API apply to the next request and persist in the settings', async () => {
    const target = await setup();
    await admin(target, 'POST', '/probe', { route: 'fast/llama-3.3-70b-versatile' });
    await admin(target, 'POST', '/probe', { route: 'slow/meta/llama-3.3-70b-instruct' });
    const pinned = await admin<{ pin: unknown }>(target, 'PUT', '/routing/pin', { pin: { kind: 'route', target: 'slow/meta/llama-3.3-70b-instruct' } });
    expect(pinned.body.pin).toEqual({ kind: 'route', target: 'slow/meta/llama-3.3-70b-instruct', aliases: false });
    const response = await chat(target);
    expect(response.headers.get('x-switchboard-provider')).toBe('slow');
    expect(response.headers.get('x-switchboard-pin')).toBe('pinned');
    expect(target.relay.configSource.get().routing.pin?.target).toBe('slow/meta/llama-3.3-70b-instruct');

    await admin(target, 'PUT', '/routing/pin', { pin: null });
    await admin(target, 'PUT', '/routing/bans', { bans: ['fast/llama-3.3-70b-versatile'] });
    expect((await chat(target)).headers.get('x-switchboard-provider')).toBe('slow');
    expect((await admin(target, 'PUT', '/routing/bans', { bans: [''] })).status).toBe(400);
    expect((await admin(target, 'PUT', '/routing/pin', { pin: { kind: 'nonsense', target: 'x' } })).status).toBe(400);
  });

  it('keeps each request’s routing decision in the request log', async () => {
    const target = await setup();
    await chat(target);
    const { body } = await admin<RequestsResponse>(target, 'GET', '/requests');
    const last = body.requests.at(-1);
    expect(last?.decision?.target).toBe('virtual:auto-fastest');
    expect(last?.decision?.candidates.length).toBe(2);
    expect(last?.route?.provider).toBe(last?.decision?.candidates[0]?.route.split('/')[0]);
  });
});

describe('/metrics', () => {
  it('exposes requests, attempts, failovers, TTFT per route and route status in Prometheus format', async () => {
    const target = await setup();
    await chat(target, 'fast/llama-3.3-70b-versatile');
    const response = await fetch(`${target.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/switchboard_requests_total\{wire="openai",endpoint="chat",outcome="ok"\} 1/);
    expect(text).toMatch(/switchboard_attempts_total\{provider="fast",outcome="ok"\} 1/);
    expect(text).toMatch(/switchboard_ttft_seconds_count\{route="fast\/llama-3.3-70b-versatile"\} 1/);
    expect(text).toMatch(/switchboard_routes\{status="up"\} 1/);
    expect(text).toContain('switchboard_failovers_total');
    expect(text).toContain('switchboard_probes_total');
  });

  it('is refused to foreign hosts like every relay endpoint', async () => {
    const target = await setup();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const call = request({ host: '127.0.0.1', port: target.port, path: '/metrics', headers: { host: 'evil.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      call.on('error', reject);
      call.end();
    });
    expect(status).toBe(403);
  });
});

describe('keys per route in the QoS view', () => {
  it('lists the labels of the keys that may serve each route, with their state, and never a key', async () => {
    const upstream = await startFakeUpstream({
      behavior: (request) => (request.headers['authorization'] === 'Bearer sk-first-key-000000001111' ? scenarios.rateLimited({ retryAfterSeconds: 60 }) : {}),
    });
    upstreams = [upstream];
    relay = await startTestRelay({
      config: endpointsConfig([{ id: 'keyed', baseUrl: upstream.url, models: ['model-a'], keys: [{ id: 'k1', label: 'first' }, { id: 'k2', label: 'second' }] }]),
      secrets: { k1: 'sk-first-key-000000001111', k2: 'sk-second-key-00000002222' },
    });
    const before = await admin<QosResponse>(relay, 'GET', '/qos');
    expect(before.body.routes.find((route) => route.id === 'keyed/model-a')?.keys).toEqual([
      { label: 'first', state: 'ok' },
      { label: 'second', state: 'ok' },
    ]);
    // The first key is rate limited: the request succeeds with the second, the first cools down.
    expect((await chat(relay, 'keyed/model-a')).status).toBe(200);
    const after = await admin<QosResponse>(relay, 'GET', '/qos');
    const keys = after.body.routes.find((route) => route.id === 'keyed/model-a')?.keys ?? [];
    expect(keys).toContainEqual({ label: 'first', state: 'cooling' });
    expect(keys).toContainEqual({ label: 'second', state: 'ok' });
    expect(JSON.stringify(after.body)).not.toContain('sk-first-key');
  });
});

describe('key state in the dashboard event stream', () => {
  it('sends a keys event when a key is rate limited, so the page updates without asking', async () => {
    const upstream = await startFakeUpstream({
      behavior: (request) => (request.headers['authorization'] === 'Bearer sk-first-key-000000001111' ? scenarios.rateLimited({ retryAfterSeconds: 60 }) : {}),
    });
    upstreams = [upstream];
    relay = await startTestRelay({
      config: endpointsConfig([{ id: 'keyed', baseUrl: upstream.url, models: ['model-a'], keys: [{ id: 'k1', label: 'first' }, { id: 'k2', label: 'second' }] }]),
      secrets: { k1: 'sk-first-key-000000001111', k2: 'sk-second-key-00000002222' },
    });
    const stream = await openSse(relay.port, '/admin/events', { host: `127.0.0.1:${relay.port}`, authorization: `Bearer ${relay.relay.adminToken}` });
    try {
      await stream.next('snapshot');
      expect((await chat(relay, 'keyed/model-a')).status).toBe(200);
      const keys = await stream.next('keys');
      expect(keys.json).toEqual({ providers: ['keyed'] });
    } finally {
      stream.close();
    }
  });
});
