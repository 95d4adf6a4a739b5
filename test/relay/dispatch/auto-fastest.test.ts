import { afterEach, describe, expect, it } from 'vitest';
import { DOWN_HOLD_MS } from '../../../relay/routing/route-score.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { createSimulatedFleet, type SimulatedFleet, type SimulatedProvider } from '../../helpers/simulated-fleet.js';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

/**
 * auto-fastest against a simulated fleet in virtual time: the relay's real routing, QoS and
 * failover code, with upstreams whose speed and failures are set by the test.
 */

const minute = 60_000;
let relays: TestRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.map((relay) => relay.close()));
  relays = [];
});

interface Setup {
  relay: TestRelay;
  fleet: SimulatedFleet;
  clock: FakeClock;
}

async function setup(providers: Record<string, SimulatedProvider>, routing: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Setup> {
  const clock = new FakeClock();
  const fleet = createSimulatedFleet(clock, providers);
  const ids = Object.keys(providers);
  const relay = await startTestRelay({
    config: {
      version: 1,
      endpoints: ids.map((id) => ({ id, baseUrl: fleet.baseUrl(id), discovery: false, free: true, models: providers[id]?.models ?? ['sim-model'] })),
      routing: { priority: ids, exploration: 0, ...routing },
      ...extra,
    },
    now: clock.now,
    random: () => 0.5,
    http: fleet.http,
  });
  relays.push(relay);
  return { relay, fleet, clock };
}

let question = 0;

/** One request; each asks something new, so requests are separate conversations unless a session id ties them. */
async function ask(relay: TestRelay, model = 'auto-fastest', headers: Record<string, string> = {}): Promise<{ status: number; provider: string | null; pin: string | null }> {
  question++;
  const response = await fetch(`${relay.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `question ${question}` }], max_tokens: 100 }),
  });
  await response.text();
  return { status: response.status, provider: response.headers.get('x-switchboard-provider'), pin: response.headers.get('x-switchboard-pin') };
}

/** Measures every servable route once, as the prober does at startup. */
async function warmUp(relay: TestRelay): Promise<void> {
  for (const view of relay.relay.routing.views().filter((candidate) => candidate.servable)) await relay.relay.routing.probeNow(view.id);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

describe('auto-fastest', () => {
  it('after warm-up, its median TTFT is within 10 % of the fastest healthy upstream, with 100 % success', async () => {
    const fleet: Record<string, SimulatedProvider> = {
      slow: { ttftMs: 900, tokensPerSecond: 40 },
      medium: { ttftMs: 300, tokensPerSecond: 80 },
      fast: { ttftMs: 120, tokensPerSecond: 120 },
      flaky: { ttftMs: 60, tokensPerSecond: 150, failureRate: 0.4 },
    };
    const { relay } = await setup(fleet);
    await warmUp(relay);
    const ttfts: number[] = [];
    for (let index = 0; index < 120; index++) {
      const answer = await ask(relay);
      expect(answer.status).toBe(200);
      ttfts.push(fleet[answer.provider as string]?.ttftMs ?? NaN);
    }
    // flaky is the fastest when it answers, but not healthy: fast is the fastest healthy upstream.
    expect(median(ttfts)).toBeLessThanOrEqual(120 * 1.1);
  });

  it('abandons a route after one failed request and uses it again once it recovers', async () => {
    const { relay, fleet, clock } = await setup({ fast: { ttftMs: 100, tokensPerSecond: 100 }, backup: { ttftMs: 800, tokensPerSecond: 100 } });
    await warmUp(relay);
    expect((await ask(relay)).provider).toBe('fast');
    fleet.set('fast', { fails: () => true });
    const failedOver = await ask(relay);
    expect(failedOver).toMatchObject({ status: 200, provider: 'backup' });
    const callsAfterFailure = fleet.stats('fast').chat;
    expect((await ask(relay)).provider).toBe('backup');
    expect(fleet.stats('fast').chat).toBe(callsAfterFailure);

    fleet.set('fast', { fails: () => false });
    clock.advance(DOWN_HOLD_MS + minute);
    await relay.relay.routing.probeNow('fast/sim-model');
    expect((await ask(relay)).provider).toBe('fast');
  });

  it('serves before any probe has finished', async () => {
    // Probes that never answer: the relay must listen and route without waiting for them.
    const clock = new FakeClock();
    const fleet = createSimulatedFleet(clock, { only: { ttftMs: 100, tokensPerSecond: 100 } });
    let probesStarted = 0;
    const http: typeof fleet.http = (request) => {
      if (request.body?.includes('Count from 1 to 20')) {
        probesStarted++;
        return new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      }
      return fleet.http(request);
    };
    const relay = await startTestRelay({
      config: { version: 1, endpoints: [{ id: 'only', baseUrl: fleet.baseUrl('only'), discovery: false, free: true, models: ['sim-model'] }] },
      now: clock.now,
      random: () => 0.5,
      http,
      probe: true,
    });
    relays.push(relay);
    await relay.relay.discovered();
    const deadline = Date.now() + 2_000;
    while (probesStarted === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(probesStarted).toBeGreaterThan(0);
    expect(relay.relay.routing.views()[0]?.qos.samples).toBe(0);
    expect((await ask(relay)).status).toBe(200);
  });

  it('keeps a session on its route while it is healthy, and moves it on failure', async () => {
    const { relay, fleet } = await setup({ a: { ttftMs: 100, tokensPerSecond: 100 }, b: { ttftMs: 130, tokensPerSecond: 100 } });
    await warmUp(relay);
    fleet.set('a', { ttftMs: 150 });
    // Pin the session to b by asking for b first, then stay there though a is comparable.
    expect((await ask(relay, 'b/sim-model', { 'x-session-id': 's1' })).provider).toBe('b');
    expect((await ask(relay, 'auto-fastest', { 'x-session-id': 's2' })).provider).toBeDefined();
    const first = await ask(relay, 'auto-fastest', { 'x-session-id': 'conversation' });
    const stays = await ask(relay, 'auto-fastest', { 'x-session-id': 'conversation' });
    expect(stays.provider).toBe(first.provider);
    fleet.set(first.provider as string, { fails: () => true });
    const moved = await ask(relay, 'auto-fastest', { 'x-session-id': 'conversation' });
    expect(moved.status).toBe(200);
    expect(moved.provider).not.toBe(first.provider);
  });
});

describe('pins, bans, toggles and groups', () => {
  const fleet = { fast: { ttftMs: 100, tokensPerSecond: 100, models: ['llama-3.3-70b-versatile'] }, slow: { ttftMs: 500, tokensPerSecond: 100, models: ['meta/llama-3.3-70b-instruct'] }, other: { ttftMs: 300, tokensPerSecond: 100, models: ['gpt-oss-120b'] } };

  it('a group pin steers auto-fastest but never an explicit id, and falls back when the pin is down', async () => {
    const { relay, fleet: sim } = await setup(fleet, { pin: { kind: 'group', target: 'gpt-oss-120b' } });
    await warmUp(relay);
    expect(await ask(relay)).toMatchObject({ provider: 'other', pin: 'pinned' });
    expect((await ask(relay, 'fast/llama-3.3-70b-versatile')).provider).toBe('fast');
    sim.set('other', { fails: () => true });
    await ask(relay); // the failure marks the pinned route down (the request itself fails over)
    expect(await ask(relay)).toMatchObject({ status: 200, provider: 'fast', pin: 'fallback' });
  });

  it('an exact pin goes to that route', async () => {
    const { relay } = await setup(fleet, { pin: { kind: 'route', target: 'slow/meta/llama-3.3-70b-instruct' } });
    await warmUp(relay);
    expect((await ask(relay)).provider).toBe('slow');
  });

  it('a group id routes to the fastest provider serving that model under any name', async () => {
    const { relay } = await setup(fleet);
    await warmUp(relay);
    expect((await ask(relay, 'llama-3.3-70b')).provider).toBe('fast');
    const models = (await (await fetch(`${relay.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toContain('llama-3.3-70b');
  });

  it('bans and provider toggles apply to the next request', async () => {
    const { relay } = await setup(fleet);
    await warmUp(relay);
    expect((await ask(relay)).provider).toBe('fast');
    await relay.relay.configSource.update((draft) => {
      draft.routing.bans = ['llama-3.3-70b'];
    });
    await relay.relay.settled();
    expect((await ask(relay)).provider).toBe('other');
    await relay.relay.configSource.update((draft) => {
      draft.routing.bans = [];
      const endpoint = draft.endpoints.find((candidate) => candidate.id === 'fast');
      if (endpoint) endpoint.enabled = false;
    });
    await relay.relay.settled();
    expect((await ask(relay)).provider).toBe('other');
  });
});

describe('conversations without a session id', () => {
  it('stay on their route across turns, recognised by their opening messages', async () => {
    const { relay, fleet } = await setup({ a: { ttftMs: 100, tokensPerSecond: 100 }, b: { ttftMs: 120, tokensPerSecond: 100 } });
    await warmUp(relay);
    const turn = async (history: Array<{ role: string; content: string }>) => {
      const response = await fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto-fastest', messages: history }),
      });
      await response.text();
      return response.headers.get('x-switchboard-provider');
    };
    const opening = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Plan a trip.' }];
    const first = await turn(opening);
    // The other route becomes a little faster: the conversation stays where its cache is warm.
    fleet.set(first === 'a' ? 'b' : 'a', { ttftMs: 90 });
    fleet.set(first as string, { ttftMs: 110 });
    await warmUp(relay);
    expect(await turn([...opening, { role: 'assistant', content: 'Where to?' }, { role: 'user', content: 'Rome.' }])).toBe(first);
  });
});

describe('quota awareness', () => {
  it('moves traffic off a key before it runs out, using the rate-limit headers', async () => {
    const clock = new FakeClock();
    const fleet = createSimulatedFleet(clock, {
      // The upstream reports one request left on key A, resetting in a minute.
      p: { ttftMs: 100, tokensPerSecond: 100, headers: () => ({}) },
    });
    const seen: string[] = [];
    const http: typeof fleet.http = async (request) => {
      const key = request.headers.authorization?.replace('Bearer ', '') ?? '';
      if (request.method === 'POST') seen.push(key);
      const response = await fleet.http(request);
      if (key === 'sk-a') Object.assign(response.headers, { 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '1m0s' });
      return response;
    };
    const relay = await startTestRelay({
      config: { version: 1, endpoints: [{ id: 'p', baseUrl: fleet.baseUrl('p'), discovery: false, free: true, models: ['sim-model'], keys: [{ id: 'ka', label: 'a' }, { id: 'kb', label: 'b' }] }] },
      secrets: { ka: 'sk-a', kb: 'sk-b' },
      now: clock.now,
      random: () => 0.5,
      http,
    });
    relays.push(relay);
    for (let index = 0; index < 4; index++) expect((await ask(relay)).status).toBe(200);
    // Key A answered once, said it had one request left, and was spared until its reset.
    expect(seen).toEqual(['sk-a', 'sk-b', 'sk-b', 'sk-b']);
    clock.advance(minute + 1);
    await ask(relay);
    await ask(relay);
    expect(seen.slice(4)).toContain('sk-a');
  });
});

describe('probe budget', () => {
  it('never spends more than 2 % of a provider’s free daily quota on probes, however long it runs', async () => {
    const clock = new FakeClock();
    const fleet = createSimulatedFleet(clock, { groq: { ttftMs: 100, tokensPerSecond: 200, models: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'] } });
    const relay = await startTestRelay({
      config: { version: 1, providers: { groq: { baseUrl: fleet.baseUrl('groq'), keys: [{ id: 'g', label: 'groq' }], discovery: false } } },
      secrets: { g: 'gsk-test' },
      now: clock.now,
      random: () => 0.5,
      http: fleet.http,
    });
    relays.push(relay);
    // A day of virtual time with a live request every few minutes keeps the relay busy.
    for (let elapsed = 0; elapsed < 24 * 60 * minute; elapsed += 30_000) {
      await relay.relay.routing.runProbes();
      if (elapsed % (5 * minute) === 0) await ask(relay);
      clock.advance(30_000);
    }
    for (const view of relay.relay.routing.views().filter((candidate) => candidate.servable)) {
      // Groq's free tier: 1,000 requests a day per model → at most 20 probes a day.
      expect(relay.relay.routing.probesToday(view.id)).toBeLessThanOrEqual(20);
      expect(relay.relay.routing.probesToday(view.id)).toBeGreaterThan(0);
    }
  });
});
