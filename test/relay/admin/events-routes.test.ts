import { afterEach, describe, expect, it } from 'vitest';
import type { AdminEventMap } from '../../../relay/admin/dto.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { pollUntil } from '../../helpers/http.js';
import { openSse, type SseStream } from '../../helpers/sse-client.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

/** GET /admin/events over a real relay: what the dashboard sees live. */

const FAST = 'fast/llama-3.3-70b-versatile';
const SLOW = 'slow/meta/llama-3.3-70b-instruct';

let relay: TestRelay | undefined;
let upstreams: FakeUpstream[] = [];
let streams: SseStream[] = [];
afterEach(async () => {
  for (const stream of streams) stream.close();
  streams = [];
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

async function events(target: TestRelay, headers: Record<string, string | null> = {}): Promise<SseStream> {
  const all: Record<string, string | null> = { host: `127.0.0.1:${target.port}`, authorization: `Bearer ${target.relay.adminToken}`, ...headers };
  const sent = Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null));
  const stream = await openSse(target.port, '/admin/events', sent);
  streams.push(stream);
  return stream;
}

describe('GET /admin/events', () => {
  it('sends a snapshot, then each finished request without its body', async () => {
    const target = await setup();
    const stream = await events(target);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['access-control-allow-origin']).toBeUndefined();
    const snapshot = (await stream.next('snapshot')).json as AdminEventMap['snapshot'];
    expect(snapshot.status.url).toBe(target.url);
    expect(snapshot.status.providers.ready).toBeGreaterThanOrEqual(2);
    expect(snapshot.qos.routes.map((route) => route.id)).toEqual(expect.arrayContaining([FAST, SLOW]));
    expect(snapshot.qos.autoFastest?.route).toMatch(/^(fast|slow)\//);
    expect(stream.messages[0]?.event).toBe('snapshot');

    const response = await fetch(`${target.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: FAST, messages: [{ role: 'user', content: 'a private prompt 7f3a' }] }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const request = (await stream.next('request')).json as AdminEventMap['request'];
    expect(request).toMatchObject({ askedModel: FAST, outcome: 'ok', status: 200, route: { provider: 'fast', model: 'llama-3.3-70b-versatile' } });
    expect(stream.text).not.toContain('private prompt');
    expect(stream.text).not.toContain('Hello from the fake upstream');
  });

  it('sends a config event when the pin changes', async () => {
    const target = await setup();
    const stream = await events(target);
    await stream.next('snapshot');
    const put = await fetch(`${target.url}/admin/routing/pin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${target.relay.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pin: { kind: 'route', target: SLOW } }),
    });
    expect(put.status).toBe(200);
    const config = (await stream.next('config')).json as AdminEventMap['config'];
    expect(config.pin).toEqual({ kind: 'route', target: SLOW, aliases: false });
    expect(config.bans).toEqual([]);
    expect(config.providers).toEqual(expect.arrayContaining([{ id: 'fast', enabled: true, status: 'ready' }]));
    expect(config.autoFastest?.route).toBe(SLOW);
  });

  it('coalesces qos changes into one event a second, carrying the changed routes', async () => {
    const target = await setup();
    const stream = await events(target);
    const snapshot = await stream.next('snapshot');
    await Promise.all([target.relay.routing.probeNow(FAST), target.relay.routing.probeNow(SLOW), target.relay.routing.probeNow(FAST)]);
    const qos = await stream.next('qos', { timeoutMs: 3000 });
    const body = qos.json as AdminEventMap['qos'];
    expect(body.full).toBe(false);
    expect(body.routes.map((route) => route.id).sort()).toEqual([FAST, SLOW]);
    expect(body.routes.find((route) => route.id === FAST)).toMatchObject({ samples: 2, probesToday: 2 });
    expect(body.autoFastest?.route).toBe(FAST);
    expect(qos.at - snapshot.at).toBeGreaterThanOrEqual(800);
    // Nothing else changed: no second event follows.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(stream.messages.filter((message) => message.event === 'qos')).toHaveLength(1);
  });

  it('needs the admin token or cookie, and refuses foreign origins and hosts', async () => {
    const target = await setup();
    const none = await events(target, { authorization: null });
    expect(none.status).toBe(401);
    await none.ended;
    expect(JSON.parse(none.text).error.code).toBe('admin_auth_required');
    const wrong = await events(target, { authorization: null, cookie: 'switchboard_admin=not-the-token' });
    expect(wrong.status).toBe(401);

    const cookie = await events(target, { authorization: null, cookie: `switchboard_admin=${target.relay.adminToken}` });
    expect(cookie.status).toBe(200);
    await cookie.next('snapshot');

    const foreign = await events(target, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    await foreign.ended;
    expect(JSON.parse(foreign.text).error.code).toBe('origin_not_allowed');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const crossSite = await events(target, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const rebound = await events(target, { host: `evil.example:${target.port}` });
    expect(rebound.status).toBe(403);
    const own = await events(target, { origin: target.url });
    expect(own.status).toBe(200);
  });

  it('leaks no listener after many connects and disconnects', async () => {
    const target = await setup();
    const emitter = target.relay.events;
    const names = ['request', 'config', 'qos'] as const;
    const before = names.map((name) => emitter.listenerCount(name));
    for (let round = 0; round < 50; round += 1) {
      const stream = await events(target);
      await stream.next('snapshot');
      if (round % 10 === 0) await target.relay.routing.probeNow(FAST); // a pending qos timer at disconnect
      stream.close();
      await stream.ended;
    }
    await pollUntil(() => names.every((name, index) => emitter.listenerCount(name) === before[index]), { what: 'listeners back to where they were' });
    // And the streams still work afterwards.
    const last = await events(target);
    await last.next('snapshot');
    expect(names.map((name) => emitter.listenerCount(name))).toEqual(before.map((count) => count + 1));
  });

  it('lets the relay close with streams open', async () => {
    const target = await setup();
    const stream = await events(target);
    await stream.next('snapshot');
    await target.close();
    relay = undefined;
    await stream.ended;
    expect(target.relay.events.listenerCount('request')).toBe(0);
  });
});
