import { afterEach, describe, expect, it } from 'vitest';
import { composeAnswer, promptTokens, tokenize } from '../../../relay/demo/answers.js';
import { DEMO_PROFILES, resolveProfiles, type DemoProfile } from '../../../relay/demo/profiles.js';
import { seededRandom } from '../../../relay/demo/random.js';
import { startSimulatedUpstream, type SimulatedUpstream } from '../../../relay/demo/simulator.js';

function profile(id: DemoProfile['id'], changes: Partial<DemoProfile> = {}): DemoProfile {
  const found = DEMO_PROFILES.find((candidate) => candidate.id === id);
  if (!found) throw new Error(id);
  return { ...found, ...changes };
}

/** The `data:` payloads of an SSE body, in order. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

describe('the simulated upstream', () => {
  const running: SimulatedUpstream[] = [];
  async function start(p: DemoProfile, options: { seed?: number; timeScale?: number } = {}): Promise<SimulatedUpstream> {
    const upstream = await startSimulatedUpstream(p, { random: seededRandom(options.seed ?? 7), timeScale: options.timeScale ?? 0 });
    running.push(upstream);
    return upstream;
  }
  afterEach(async () => {
    await Promise.all(running.splice(0).map((upstream) => upstream.close()));
  });

  function chat(upstream: SimulatedUpstream, body: Record<string, unknown>): Promise<Response> {
    return fetch(`${upstream.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  it('lists its models on 127.0.0.1 with their context windows, owned by a simulated provider', async () => {
    const upstream = await start(profile('demo-fast'));
    expect(upstream.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const list = (await (await fetch(`${upstream.baseUrl}/models`)).json()) as { object: string; data: Array<{ id: string; owned_by: string; context_window: number }> };
    expect(list.object).toBe('list');
    expect(list.data.map((model) => model.id)).toEqual(['sim-small', 'sim-medium']);
    expect(list.data[0]?.owned_by).toContain('simulated');
    expect(list.data[0]?.context_window).toBeGreaterThan(0);
  });

  it('answers a plain completion that says it is simulated, with usage that matches the text', async () => {
    const upstream = await start(profile('demo-slow'));
    const messages = [{ role: 'user', content: 'What is the capital of France?' }];
    const response = await chat(upstream, { model: 'sim-medium', messages });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; model: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }>; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe('sim-medium');
    const content = body.choices[0]?.message.content ?? '';
    expect(content.toLowerCase()).toContain('simulated');
    expect(body.choices[0]?.finish_reason).toBe('stop');
    expect(body.usage.completion_tokens).toBe(tokenize(content).length);
    expect(body.usage.prompt_tokens).toBe(promptTokens(messages));
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('streams one token per chunk, then the finish reason, usage when asked, and [DONE]', async () => {
    const upstream = await start(profile('demo-fast'));
    const response = await chat(upstream, { model: 'sim-small', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Count from 1 to 20, separated by spaces.' }] });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line) as { object: string; choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>; usage?: Record<string, number> });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const pieces = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).filter((piece) => piece !== '');
    expect(pieces.join('')).toBe(Array.from({ length: 20 }, (_, index) => index + 1).join(' '));
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(pieces.length);
  });

  it('stops at max_tokens with finish reason length', async () => {
    const upstream = await start(profile('demo-fast'));
    const body = (await (await chat(upstream, { model: 'sim-small', max_tokens: 3, messages: [{ role: 'user', content: 'Hello' }] })).json()) as { choices: Array<{ finish_reason: string }>; usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBe(3);
    expect(body.choices[0]?.finish_reason).toBe('length');
  });

  it('refuses an unknown model with 404 model_not_found and bad bodies with 400', async () => {
    const upstream = await start(profile('demo-fast'));
    const missing = await chat(upstream, { model: 'sim-large', messages: [{ role: 'user', content: 'Hi' }] });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    const bad = await fetch(`${upstream.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${upstream.baseUrl}/embeddings`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('a provider that always fails answers 503 or 429 with Retry-After', async () => {
    const upstream = await start(profile('demo-flaky', { failureRate: 1 }), { seed: 3 });
    const statuses = new Set<number>();
    for (let index = 0; index < 12; index++) {
      const response = await chat(upstream, { model: 'sim-small', messages: [{ role: 'user', content: 'Hi' }] });
      statuses.add(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('simulated');
    }
    expect([...statuses].sort()).toEqual([429, 503]);
    expect(upstream.stats).toEqual({ requests: 12, failures: 12, resets: 0 });
  });

  it('fails about as often as its profile says, the same way for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const upstream = await start(profile('demo-flaky', { resetRate: 0 }), { seed });
      const statuses: number[] = [];
      for (let index = 0; index < 40; index++) {
        const response = await chat(upstream, { model: 'sim-large', max_tokens: 2, messages: [{ role: 'user', content: 'Hi' }] });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      return statuses;
    };
    const first = await outcomes(11);
    expect(await outcomes(11)).toEqual(first);
    const failed = first.filter((status) => status !== 200).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(25);
  });

  it('sometimes cuts a stream off mid-way', async () => {
    const upstream = await start(profile('demo-flaky', { failureRate: 0, resetRate: 1 }));
    const response = await chat(upstream, { model: 'sim-small', stream: true, messages: [{ role: 'user', content: 'Tell me a story' }] });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(upstream.stats.resets).toBe(1);
  });

  it('keeps its profile timing: first token after the TTFT, then about the configured speed', async () => {
    const upstream = await start(profile('demo-fast', { ttftMs: 60, tokensPerSecond: 400, jitter: 0 }), { timeScale: 1 });
    const started = performance.now();
    const response = await chat(upstream, { model: 'sim-small', stream: true, messages: [{ role: 'user', content: 'Count from 1 to 40.' }] });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let firstContentAt: number | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (firstContentAt === undefined && text.includes('"content":"1"')) firstContentAt = performance.now();
    }
    const ended = performance.now();
    expect(firstContentAt! - started).toBeGreaterThanOrEqual(55);
    // 40 numbers with their spaces are 40 tokens: 39 gaps of 2.5 ms (timers may fire a little early).
    expect(ended - firstContentAt!).toBeGreaterThanOrEqual(80);
    expect(ended - firstContentAt!).toBeLessThan(400);
  });

  it('gives the same answer for the same seed, and says so in JSON when asked for JSON', () => {
    const input = { provider: 'demo-fast', model: 'sim-small', prompt: 'Hello', ttftMs: 150, tokensPerSecond: 120, json: false };
    expect(composeAnswer({ ...input, random: seededRandom(5) })).toBe(composeAnswer({ ...input, random: seededRandom(5) }));
    const json = JSON.parse(composeAnswer({ ...input, json: true, random: seededRandom(5) })) as { simulated: boolean };
    expect(json.simulated).toBe(true);
  });

  it('tokenizes losslessly', () => {
    for (const text of ['Hello, world!  ', 'internationalization is long', '  leading', 'émoji 🙂 and ünïcode', '']) {
      expect(tokenize(text).join('')).toBe(text);
    }
    expect(tokenize('internationalization')).toEqual(['intern', 'ationa', 'lizati', 'on']);
  });

  it('has the three profiles, labelled simulated, each model served by two of them', () => {
    const profiles = resolveProfiles({ profiles: { 'demo-flaky': { failureRate: 1 } } });
    expect(profiles.map((p) => p.id)).toEqual(['demo-fast', 'demo-slow', 'demo-flaky']);
    expect(profiles.every((p) => p.name.includes('(simulated)'))).toBe(true);
    expect(profiles[2]?.failureRate).toBe(1);
    const servedBy = new Map<string, number>();
    for (const p of profiles) for (const model of p.models) servedBy.set(model.id, (servedBy.get(model.id) ?? 0) + 1);
    expect([...servedBy.values()].every((count) => count === 2)).toBe(true);
  });
});
