import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT,
  decodeEmbeddingBase64,
  fakeEmbedding,
  scenarios,
  sequence,
  startFakeUpstream,
} from './fake-upstream.js';
import type { FakeUpstream, FakeUpstreamOptions } from './fake-upstream.js';

const open: FakeUpstream[] = [];

async function start(options?: FakeUpstreamOptions): Promise<FakeUpstream> {
  const up = await startFakeUpstream(options);
  open.push(up);
  return up;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((u) => u.close()));
});

function chat(up: FakeUpstream, body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${up.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'Hi there, fake!' }], ...body }),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, in order. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice('data: '.length));
}

async function readFirstChunk(res: Response): Promise<{ reader: ReadableStreamDefaultReader<Uint8Array>; text: string }> {
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  return { reader, text: new TextDecoder().decode(value) };
}

describe('fake upstream: chat completions', () => {
  it('answers JSON when stream is falsy', async () => {
    const up = await start();
    const res = await chat(up, {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const json = (await res.json()) as any;
    expect(json.object).toBe('chat.completion');
    expect(json.id).toMatch(/^chatcmpl-/);
    expect(json.model).toBe('fake-small');
    expect(json.choices[0].message).toMatchObject({ role: 'assistant', content: DEFAULT_TEXT });
    expect(json.choices[0].finish_reason).toBe('stop');
    // "Hi there, fake!" = 15 chars → 4 tokens; 5 words → 5 completion tokens
    expect(json.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });

    expect(up.requests).toHaveLength(1);
    const rec = up.requests[0]!;
    expect(rec).toMatchObject({ method: 'POST', path: '/v1/chat/completions', model: 'fake-small', apiKey: 'sk-test' });
    expect(rec.body.messages[0].content).toBe('Hi there, fake!');
    expect(rec.headers['content-type']).toBe('application/json');
  });

  it('serves the path without /v1 and applies model/usage/finishReason/reasoning/toolCalls overrides', async () => {
    const up = await start({
      behavior: {
        model: 'echo-model',
        reasoning: 'Think hard',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        usage: { prompt_tokens: 100 },
        finishReason: 'tool_calls',
        rateLimitHeaders: { 'x-ratelimit-remaining-requests': '7' },
      },
    });
    const res = await fetch(`${up.origin}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('7');
    const json = (await res.json()) as any;
    expect(json.model).toBe('echo-model');
    expect(json.choices[0].message).toMatchObject({
      content: null,
      reasoning_content: 'Think hard',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(json.choices[0].finish_reason).toBe('tool_calls');
    expect(json.usage.prompt_tokens).toBe(100);
    expect(json.usage.total_tokens).toBe(100 + json.usage.completion_tokens);
  });

  it('streams SSE with role, content pieces, finish chunk, usage chunk and [DONE]', async () => {
    const up = await start({ behavior: { text: 'abcdef', chunks: 3 } });
    const res = await chat(up, { stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks).toHaveLength(1 + 3 + 1 + 1);
    const ids = new Set(chunks.map((c) => c.id));
    const created = new Set(chunks.map((c) => c.created));
    expect(ids.size).toBe(1);
    expect(created.size).toBe(1);
    for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1, 4).map((c) => c.choices[0].delta)).toEqual([{ content: 'ab' }, { content: 'cd' }, { content: 'ef' }]);
    expect(chunks.slice(0, 4).every((c) => c.choices[0].finish_reason === null && c.usage === null)).toBe(true);
    expect(chunks[4].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[5].choices).toEqual([]);
    expect(chunks[5].usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
  });

  it('omits the usage chunk without include_usage and splits per word by default', async () => {
    const up = await start();
    const data = sseData(await (await chat(up, { stream: true })).text());
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    expect(text).toBe(DEFAULT_TEXT);
    expect(chunks.length).toBe(1 + 5 + 1);
  });

  it('streams reasoning first, then tool-call fragments OpenAI-style', async () => {
    const up = await start({
      behavior: scenarios.toolCalls(
        [
          { id: 'call_a', name: 'f', arguments: '{"city":"Paris"}' },
          { name: 'g', arguments: '{"x":1}' },
        ],
        { reasoning: 'Let me see' },
      ),
    });
    const data = sseData(await (await chat(up, { stream: true })).text());
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const deltas = chunks.map((c) => c.choices[0].delta);
    expect(deltas[1]).toEqual({ reasoning_content: 'Let ' });
    expect(deltas[2]).toEqual({ reasoning_content: 'me ' });
    expect(deltas[3]).toEqual({ reasoning_content: 'see' });
    const tc = deltas.filter((d) => d.tool_calls).map((d) => d.tool_calls[0]);
    expect(tc[0]).toEqual({ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } });
    expect(Object.keys(tc[1])).toEqual(['index', 'function']);
    const args0 = tc.filter((t) => t.index === 0).map((t) => t.function.arguments).join('');
    const args1 = tc.filter((t) => t.index === 1).map((t) => t.function.arguments).join('');
    expect(args0).toBe('{"city":"Paris"}');
    expect(args1).toBe('{"x":1}');
    expect(tc.find((t) => t.index === 1)).toMatchObject({ id: expect.any(String), type: 'function', function: { name: 'g' } });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('passes a 0-based chat call index to the behavior and supports setBehavior/sequence/reset', async () => {
    const up = await start({ behavior: sequence(scenarios.serverError(503), scenarios.ok('second')) });
    expect((await chat(up, {})).status).toBe(503);
    expect(((await (await chat(up, {})).json()) as any).choices[0].message.content).toBe('second');
    expect(((await (await chat(up, {})).json()) as any).choices[0].message.content).toBe('second');
    const seen: number[] = [];
    up.setBehavior((_req, i) => {
      seen.push(i);
      return {};
    });
    await (await chat(up, {})).text();
    expect(seen).toEqual([3]);
    up.reset();
    expect(up.requests).toHaveLength(0);
    await (await chat(up, {})).text();
    expect(seen).toEqual([3, 0]);
  });

  it('delays the first content chunk by ttftMs but sends headers at once', async () => {
    const up = await start({ behavior: { ttftMs: 250 } });
    const t0 = performance.now();
    const res = await chat(up, { stream: true });
    const tHeaders = performance.now() - t0;
    const { reader } = await readFirstChunk(res);
    const tFirst = performance.now() - t0;
    await reader.cancel();
    expect(tHeaders).toBeLessThan(200);
    expect(tFirst).toBeGreaterThanOrEqual(240);
  });
});

describe('fake upstream: error presets', () => {
  const cases: Array<{ name: string; scenario: ReturnType<typeof scenarios.ok>; status: number; headers?: Record<string, string | null>; check: (body: string) => void }> = [
    {
      name: '429 with Retry-After',
      scenario: scenarios.rateLimited({ retryAfterSeconds: 3 }),
      status: 429,
      headers: { 'retry-after': '3' },
      check: (b) => expect(JSON.parse(b).error).toMatchObject({ code: 'rate_limit_exceeded', message: expect.any(String), type: expect.any(String) }),
    },
    {
      name: '429 with only x-ratelimit-reset headers',
      scenario: scenarios.rateLimitedResetHeaders({ resetRequests: '2s' }),
      status: 429,
      headers: { 'retry-after': null, 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-remaining-requests': '0' },
      check: (b) => expect(JSON.parse(b).error.code).toBe('rate_limit_exceeded'),
    },
    {
      name: '429 with nothing',
      scenario: scenarios.rateLimitedBare(),
      status: 429,
      headers: { 'retry-after': null, 'x-ratelimit-reset-requests': null },
      check: (b) => expect(JSON.parse(b).error.code).toBe('rate_limit_exceeded'),
    },
    {
      name: '429 insufficient_quota',
      scenario: scenarios.insufficientQuota(),
      status: 429,
      check: (b) => expect(JSON.parse(b).error.code).toBe('insufficient_quota'),
    },
    {
      name: '400 context length',
      scenario: scenarios.contextLengthExceeded(),
      status: 400,
      check: (b) => expect(JSON.parse(b).error.code).toBe('context_length_exceeded'),
    },
    {
      name: '401',
      scenario: scenarios.unauthorized(),
      status: 401,
      check: (b) => expect(JSON.parse(b).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' }),
    },
    { name: '402', scenario: scenarios.paymentRequired(), status: 402, check: (b) => expect(JSON.parse(b).error.message).toMatch(/credits/i) },
    { name: '403', scenario: scenarios.forbidden(), status: 403, check: (b) => expect(JSON.parse(b).error.type).toBe('permission_error') },
    {
      name: '404 model not found',
      scenario: scenarios.modelNotFound(),
      status: 404,
      check: (b) => expect(JSON.parse(b).error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining('fake-small') }),
    },
    { name: '500', scenario: scenarios.serverError(), status: 500, check: (b) => expect(JSON.parse(b).error.type).toBe('server_error') },
    {
      name: '503 with Retry-After',
      scenario: scenarios.serviceUnavailable({ retryAfterSeconds: 1 }),
      status: 503,
      headers: { 'retry-after': '1' },
      check: (b) => expect(JSON.parse(b).error.message).toEqual(expect.any(String)),
    },
    { name: '529', scenario: scenarios.overloaded(), status: 529, check: (b) => expect(JSON.parse(b).error.type).toBe('overloaded_error') },
    {
      name: 'HTML 502',
      scenario: scenarios.html(),
      status: 502,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      check: (b) => expect(b).toMatch(/^<html>/),
    },
    {
      name: 'Gemini JSON array',
      scenario: scenarios.geminiError(),
      status: 429,
      headers: { 'content-type': 'application/json' },
      check: (b) => {
        const arr = JSON.parse(b);
        expect(Array.isArray(arr)).toBe(true);
        expect(arr[0].error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
        expect(arr[0].error.details[0].retryDelay).toBe('24s');
      },
    },
    {
      name: 'custom status/body/headers',
      scenario: { status: 418, errorBody: 'teapot', headers: { 'x-custom': 'yes' } },
      status: 418,
      headers: { 'x-custom': 'yes', 'content-type': 'text/plain; charset=utf-8' },
      check: (b) => expect(b).toBe('teapot'),
    },
  ];

  it('answers every preset with its status, headers and body (streaming requests too)', async () => {
    const up = await start();
    for (const c of cases) {
      up.setBehavior(c.scenario);
      for (const stream of [false, true]) {
        const res = await chat(up, { stream });
        expect(res.status, c.name).toBe(c.status);
        for (const [k, v] of Object.entries(c.headers ?? {})) expect(res.headers.get(k), `${c.name} ${k}`).toBe(v);
        if (!c.headers?.['content-type']) expect(res.headers.get('content-type'), c.name).toBe('application/json');
        c.check(await res.text());
      }
    }
  });

  it('redirects with 307 and Location', async () => {
    const up = await start({ behavior: scenarios.redirect('http://127.0.0.1:1/v1/chat/completions') });
    const res = await chat(up, {}, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:1/v1/chat/completions');
  });

  it('answers 400 on an unparsable body and 404 on unknown routes', async () => {
    const up = await start();
    const bad = await fetch(`${up.url}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.type).toBe('invalid_request_error');
    const unknown = await fetch(`${up.url}/nothing`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.message).toMatch(/Unknown request URL/);
    expect(up.requests[0]!.rawBody).toBe('{nope');
    expect(up.requests[0]!.body).toBeUndefined();
  });
});

describe('fake upstream: transport faults', () => {
  it('resetBeforeHeaders makes fetch reject, and is not counted as a client abort', async () => {
    const up = await start({ behavior: scenarios.resetBeforeHeaders() });
    await expect(chat(up, {})).rejects.toThrow();
    expect(up.requests).toHaveLength(1);
    expect(up.aborted).toHaveLength(0);
  });

  it('resetAfterChunks delivers n content chunks then breaks the stream', async () => {
    const up = await start({ behavior: scenarios.resetAfterChunks(2) });
    const res = await chat(up, { stream: true });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    await expect(
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += decoder.decode(value, { stream: true });
        }
      })(),
    ).rejects.toThrow();
    const data = sseData(text);
    expect(data).toHaveLength(3); // role + 2 content chunks
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('"finish_reason":"stop"');
    expect(up.aborted).toHaveLength(0);
  });

  it('endWithoutDone ends cleanly without finish chunk or [DONE]', async () => {
    const up = await start({ behavior: scenarios.endWithoutDone() });
    const text = await (await chat(up, { stream: true, stream_options: { include_usage: true } })).text();
    const data = sseData(text);
    expect(data).toHaveLength(6);
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('"finish_reason":"stop"');
  });

  it('malformedChunk inserts a bad data line mid-stream', async () => {
    const up = await start({ behavior: scenarios.malformedChunk() });
    const data = sseData(await (await chat(up, { stream: true })).text());
    expect(data[2]).toBe('{not json');
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('midStreamError sends an in-band error event and ends without [DONE]', async () => {
    const up = await start({ behavior: scenarios.midStreamError(1) });
    const data = sseData(await (await chat(up, { stream: true })).text());
    expect(data).toHaveLength(3);
    expect(JSON.parse(data[2]!).error.type).toBe('server_error');
  });

  it('records a client abort during stallAfterChunks', async () => {
    const up = await start({ behavior: scenarios.stallAfterChunks(1) });
    const ac = new AbortController();
    const res = await chat(up, { stream: true }, { signal: ac.signal });
    const { text } = await readFirstChunk(res);
    expect(text).toContain('"role":"assistant"');
    ac.abort();
    await up.waitForAbort(1, 1000);
    expect(up.aborted[0]!.path).toBe('/v1/chat/completions');
  });

  it('records a client abort during stallBeforeHeaders', async () => {
    const up = await start({ behavior: scenarios.stallBeforeHeaders() });
    const ac = new AbortController();
    const pending = chat(up, {}, { signal: ac.signal });
    await up.waitForRequests(1, 1000);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await up.waitForAbort(1, 1000);
    expect(up.aborted).toHaveLength(1);
  });

  it('close() completes quickly with a stalled stream open', async () => {
    const up = await startFakeUpstream({ behavior: scenarios.stallAfterChunks(0) });
    const res = await chat(up, { stream: true });
    const bodyDone = res.text().catch(() => 'rejected');
    const pendingHeaders = chat(up, {}).catch(() => 'rejected');
    up.setBehavior(scenarios.stallBeforeHeaders());
    await up.waitForRequests(2, 1000);
    const t0 = performance.now();
    await up.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await bodyDone;
    expect(await pendingHeaders).toBe('rejected');
    expect(up.aborted).toHaveLength(0);
  });

  it('waitForRequests times out with a clear error', async () => {
    const up = await start();
    await expect(up.waitForRequests(1, 30)).rejects.toThrow(/timed out/);
  });
});

describe('fake upstream: auth, models, embeddings', () => {
  it('requireKey answers 401 without a matching bearer key', async () => {
    const up = await start({ requireKey: ['k1', 'k2'] });
    const none = await fetch(`${up.url}/models`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', message: expect.any(String) });
    const wrong = await chat(up, {});
    expect(wrong.status).toBe(401);
    await wrong.text();
    const ok = await chat(up, {}, { headers: { authorization: 'Bearer k2', 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
    await ok.text();
    expect(up.requests.map((r) => r.apiKey)).toEqual([undefined, 'sk-test', 'k2']);
  });

  it('lists models (default and configured) and serves /models/{id}', async () => {
    const def = await start();
    const list = (await (await fetch(`${def.url}/models`)).json()) as any;
    expect(list.object).toBe('list');
    expect(list.data.length).toBeGreaterThanOrEqual(2);
    expect(list.data[0]).toMatchObject({ object: 'model', id: expect.any(String), created: expect.any(Number), owned_by: expect.any(String) });

    const up = await start({ models: [{ id: 'meta/llama-3.3-70b', contextWindow: 131072 }, { id: 'tiny' }] });
    const json = (await (await fetch(`${up.origin}/models`)).json()) as any;
    expect(json.data).toEqual([
      { id: 'meta/llama-3.3-70b', object: 'model', created: expect.any(Number), owned_by: expect.any(String), context_window: 131072 },
      { id: 'tiny', object: 'model', created: expect.any(Number), owned_by: expect.any(String) },
    ]);
    const one = await fetch(`${up.url}/models/${encodeURIComponent('meta/llama-3.3-70b')}`);
    expect(((await one.json()) as any).id).toBe('meta/llama-3.3-70b');
    const missing = await fetch(`${up.url}/models/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('model_not_found');
  });

  it('embeddings: deterministic floats by default, base64 round-trips', async () => {
    const up = await start();
    const post = async (body: object): Promise<any> => {
      const res = await fetch(`${up.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'emb', ...body }) });
      expect(res.status).toBe(200);
      return res.json();
    };
    const f = await post({ input: ['hello', 'world'] });
    expect(f.object).toBe('list');
    expect(f.model).toBe('emb');
    expect(f.data).toHaveLength(2);
    expect(f.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(f.data[0].embedding).toEqual(fakeEmbedding('hello'));
    expect(f.data[0].embedding).toHaveLength(8);
    expect(f.data[0].embedding).not.toEqual(f.data[1].embedding);
    expect(f.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const again = await post({ input: 'hello', encoding_format: 'float' });
    expect(again.data[0].embedding).toEqual(f.data[0].embedding);

    const b = await post({ input: 'hello', encoding_format: 'base64' });
    expect(typeof b.data[0].embedding).toBe('string');
    const buf = Buffer.from(b.data[0].embedding, 'base64');
    const floats = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    expect(floats).toEqual(f.data[0].embedding);
    expect(decodeEmbeddingBase64(b.data[0].embedding)).toEqual(f.data[0].embedding);
  });

  it('embeddings honour error scenarios from the behavior', async () => {
    const up = await start({ behavior: scenarios.rateLimited({ retryAfterSeconds: 1 }) });
    const res = await fetch(`${up.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'emb', input: 'x' }) });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    await res.text();
  });
});
