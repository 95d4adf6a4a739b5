import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminEventMap, ApiErrorBody, RequestDetailResponse, RequestsResponse } from '../../../relay/admin/dto.js';
import { maskKey } from '../../../relay/keys/redact.js';
import { DEFAULT_TEXT, startFakeUpstream, type FakeUpstream, type Scenario } from '../../helpers/fake-upstream.js';
import { pollUntil } from '../../helpers/http.js';
import { openSse, type SseStream } from '../../helpers/sse-client.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

/** `requests.keepBodies` over a real relay: what is kept, for how long, and what never is. */

const STORED_KEY = 'sk-stored-key-5b1e9c0d7a2f4e68';
const LIMIT = 64 * 1024;

let relay: TestRelay | undefined;
let upstream: FakeUpstream | undefined;
let streams: SseStream[] = [];
afterEach(async () => {
  for (const stream of streams) stream.close();
  streams = [];
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

async function setup(options: { keepBodies?: boolean; behavior?: Scenario } = {}): Promise<TestRelay> {
  upstream = await startFakeUpstream(options.behavior ? { behavior: options.behavior } : {});
  const extra = options.keepBodies === undefined ? {} : { requests: { keepBodies: options.keepBodies } };
  relay = await startTestRelay({
    config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small'], keys: [{ id: 'fake-k1', label: 'key-1' }] }], extra),
    secrets: { 'fake-k1': STORED_KEY },
  });
  return relay;
}

/** Posts `body` (sent as this exact text) and reads the whole answer. */
async function relayed(target: TestRelay, path: string, body: string, headers: Record<string, string> = {}): Promise<{ id: string; status: number; text: string }> {
  const response = await fetch(`${target.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { id: response.headers.get('x-request-id') ?? '', status: response.status, text };
}

async function admin<T>(target: TestRelay, path: string, token: string | null = target.relay.adminToken): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${target.url}/admin${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T, text };
}

async function detail(target: TestRelay, id: string): Promise<RequestDetailResponse> {
  const answer = await admin<RequestDetailResponse>(target, `/requests/${id}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function listed(target: TestRelay, id: string) {
  const answer = await admin<RequestsResponse>(target, '/requests');
  expect(answer.status).toBe(200);
  const view = answer.body.requests.find((request) => request.requestId === id);
  expect(view).toBeDefined();
  return view;
}

function chat(options: { stream?: boolean; content?: string } = {}): string {
  return JSON.stringify({ model: 'fake-small', stream: options.stream ?? false, messages: [{ role: 'user', content: options.content ?? 'a private prompt 7f3a' }] });
}

describe('request and answer bodies in the request log', () => {
  it('keeps none by default', async () => {
    const target = await setup();
    const sent = await relayed(target, '/v1/chat/completions', chat());
    expect(sent.status).toBe(200);
    expect((await listed(target, sent.id))?.hasBodies ?? false).toBe(false);
    const kept = await detail(target, sent.id);
    expect(kept.request).toMatchObject({ requestId: sent.id, askedModel: 'fake-small', outcome: 'ok' });
    expect(kept.request.hasBodies ?? false).toBe(false);
    expect(kept).not.toHaveProperty('requestBody');
    expect(kept).not.toHaveProperty('responseBody');
    expect(JSON.stringify(kept)).not.toContain('private prompt');
  });

  it('keeps a streamed OpenAI request and the bytes the client received', async () => {
    const target = await setup({ keepBodies: true });
    const body = chat({ stream: true });
    const sent = await relayed(target, '/v1/chat/completions', body);
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('data: [DONE]');
    expect((await listed(target, sent.id))?.hasBodies).toBe(true);
    const kept = await detail(target, sent.id);
    expect(kept.request.hasBodies).toBe(true);
    expect(kept.requestBody).toBe(body);
    expect(kept.responseBody).toBe(sent.text);
    expect(kept.truncated).toBeUndefined();
  });

  it('keeps a non-streamed Anthropic /v1/messages request and its answer', async () => {
    const target = await setup({ keepBodies: true });
    // Spaces and key order as the client wrote them: the text is kept as received, not re-encoded.
    const body = '{ "model": "fake-small", "max_tokens": 64,\n  "messages": [{"role": "user", "content": "bonjour"}] }';
    const sent = await relayed(target, '/v1/messages', body, { 'anthropic-version': '2023-06-01' });
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text)).toMatchObject({ type: 'message', content: [{ type: 'text', text: DEFAULT_TEXT }] });
    const kept = await detail(target, sent.id);
    expect(kept.request).toMatchObject({ clientWire: 'anthropic', hasBodies: true });
    expect(kept.requestBody).toBe(body);
    expect(kept.responseBody).toBe(sent.text);
    expect(kept.responseBody).toContain(DEFAULT_TEXT);
  });

  it('keeps the bodies of the Ollama and Responses wires too', async () => {
    const target = await setup({ keepBodies: true });
    const ollama = await relayed(target, '/api/chat', JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] }));
    expect(ollama.status).toBe(200);
    const responses = await relayed(target, '/v1/responses', JSON.stringify({ model: 'fake-small', input: 'hi', stream: true }));
    expect(responses.status).toBe(200);
    for (const sent of [ollama, responses]) {
      const kept = await detail(target, sent.id);
      expect(kept.responseBody).toBe(sent.text);
      expect(kept.responseBody).toContain('Hello');
    }
  });

  it('keeps an error answer as the client received it', async () => {
    const target = await setup({ keepBodies: true, behavior: { status: 400 } });
    const sent = await relayed(target, '/v1/chat/completions', chat());
    expect(sent.status).toBe(400);
    const kept = await detail(target, sent.id);
    expect(kept.request.outcome).toBe('error');
    expect(kept.responseBody).toBe(sent.text);
  });

  it('cuts each body at 64 KB and says so', async () => {
    const target = await setup({ keepBodies: true, behavior: { text: 'word '.repeat(20_000), chunks: 8 } });
    const body = chat({ content: 'é'.repeat(50_000) });
    const sent = await relayed(target, '/v1/chat/completions', body);
    expect(sent.status).toBe(200);
    expect(sent.text.length).toBeGreaterThan(LIMIT);
    const kept = await detail(target, sent.id);
    expect(kept.truncated).toBe(true);
    expect(Buffer.byteLength(kept.requestBody ?? '')).toBeLessThanOrEqual(LIMIT);
    expect(Buffer.byteLength(kept.requestBody ?? '')).toBeGreaterThan(LIMIT - 4);
    expect(body.startsWith(kept.requestBody ?? '-')).toBe(true);
    expect(Buffer.byteLength(kept.responseBody ?? '')).toBe(LIMIT);
    expect(sent.text.startsWith(kept.responseBody ?? '-')).toBe(true);

    upstream?.setBehavior({});
    const small = await relayed(target, '/v1/chat/completions', chat());
    expect((await detail(target, small.id)).truncated).toBeUndefined();
  });

  it('masks a stored key that a client put in a prompt', async () => {
    const target = await setup({ keepBodies: true });
    const sent = await relayed(target, '/v1/chat/completions', chat({ content: `my key is ${STORED_KEY}, keep it safe` }));
    expect(sent.status).toBe(200);
    const kept = await detail(target, sent.id);
    expect(kept.requestBody).not.toContain(STORED_KEY);
    expect(kept.requestBody).toContain(`my key is ${maskKey(STORED_KEY)}, keep it safe`);
  });

  it('leaves no part of a key that the 64 KB cut splits', async () => {
    const target = await setup({ keepBodies: true });
    const head = '{"model":"fake-small","messages":[{"role":"user","content":"';
    const padding = 'p'.repeat(LIMIT - head.length - 12);
    const body = `${head}${padding}${STORED_KEY}"}]}`;
    const sent = await relayed(target, '/v1/chat/completions', body);
    expect(sent.status).toBe(200);
    const kept = await detail(target, sent.id);
    expect(kept.truncated).toBe(true);
    expect(kept.requestBody?.endsWith('p')).toBe(true);
    expect(kept.requestBody).not.toContain(STORED_KEY.slice(0, 8));
  });

  it('marks the request event of a kept request', async () => {
    const target = await setup({ keepBodies: true });
    const stream = await openSse(target.port, '/admin/events', { host: `127.0.0.1:${target.port}`, authorization: `Bearer ${target.relay.adminToken}` });
    streams.push(stream);
    await stream.next('snapshot');
    const sent = await relayed(target, '/v1/chat/completions', chat());
    const event = (await stream.next('request')).json as AdminEventMap['request'];
    expect(event).toMatchObject({ requestId: sent.id, hasBodies: true });
    expect(stream.text).not.toContain('private prompt');
  });

  it('drops every kept body when turned off, and keeps none until turned on again', async () => {
    const target = await setup({ keepBodies: true });
    const first = await relayed(target, '/v1/chat/completions', chat());
    const second = await relayed(target, '/v1/chat/completions', chat({ stream: true }));
    expect((await detail(target, second.id)).responseBody).toBe(second.text);

    await target.relay.configSource.update((draft) => {
      draft.requests.keepBodies = false;
    });
    for (const id of [first.id, second.id]) {
      const kept = await detail(target, id);
      expect(kept.request.hasBodies ?? false).toBe(false);
      expect(kept).not.toHaveProperty('requestBody');
      expect(kept).not.toHaveProperty('responseBody');
      expect((await listed(target, id))?.hasBodies ?? false).toBe(false);
    }
    const whileOff = await relayed(target, '/v1/chat/completions', chat());
    expect(await detail(target, whileOff.id)).not.toHaveProperty('requestBody');

    // A hand edit of the settings file applies to the next request.
    const config = endpointsConfig([{ id: 'fake', baseUrl: upstream?.url ?? '', models: ['fake-small'], keys: [{ id: 'fake-k1', label: 'key-1' }] }], { requests: { keepBodies: true } });
    await writeFile(join(target.configDir, 'config.json'), JSON.stringify(config, null, 2));
    await pollUntil(() => target.relay.configSource.get().requests.keepBodies, { timeoutMs: 5_000, what: 'the hand edit' });
    const again = await relayed(target, '/v1/chat/completions', chat());
    expect((await detail(target, again.id)).requestBody).toBe(chat());
    expect(await detail(target, first.id)).not.toHaveProperty('requestBody');
  });

  it('answers 404 in the admin error shape for an unknown id', async () => {
    const target = await setup({ keepBodies: true });
    const answer = await admin<ApiErrorBody>(target, '/requests/req_nope');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ type: 'not_found_error', code: 'unknown_request' });
  });

  it('needs the admin token', async () => {
    const target = await setup({ keepBodies: true });
    const sent = await relayed(target, '/v1/chat/completions', chat());
    const missing = await admin<ApiErrorBody>(target, `/requests/${sent.id}`, null);
    expect(missing.status).toBe(401);
    expect(missing.text).not.toContain('private prompt');
    const wrong = await admin<ApiErrorBody>(target, `/requests/${sent.id}`, 'x'.repeat(43));
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('private prompt');
  });
});
