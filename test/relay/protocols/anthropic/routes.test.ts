import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayError } from '../../../../relay/core/errors.js';
import type { ChatDispatchResult, RelayService } from '../../../../relay/core/relay-service.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { anthropicRoutes, anthropicWire } from '../../../../relay/protocols/anthropic/index.js';
import { createHarness } from '../../../helpers/harness.js';
import { rawPostJson, rawRequest } from '../../../helpers/http.js';

const h = createHarness();
const servers: Server[] = [];
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  expect(problems).toEqual([]);
});

async function setup() {
  const upstream = await h.upstream();
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small', 'fake-large'] }]);
  return { upstream, relay, client: new Anthropic({ baseURL: relay.url, apiKey: 'x', maxRetries: 0 }) };
}

const get = (port: number, path: string, headers: Record<string, string> = {}) => rawRequest(port, { path, headers: { host: `127.0.0.1:${port}`, ...headers } });

describe('GET /v1/models', () => {
  it('answers in Anthropic shape to Anthropic clients and in OpenAI shape to everyone else', async () => {
    const { relay } = await setup();
    const anthropic = await get(relay.port, '/v1/models', { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(200);
    expect(anthropic.json.has_more).toBe(false);
    expect(anthropic.json.data[0]).toMatchObject({ type: 'model', id: expect.any(String), display_name: expect.any(String) });
    expect(new Date(anthropic.json.data[0].created_at).toISOString()).toBe(anthropic.json.data[0].created_at);
    expect(anthropic.json.first_id).toBe(anthropic.json.data[0].id);
    expect(anthropic.json.data.map((model: { id: string }) => model.id)).toContain('fake-small');

    const byKeyHeader = await get(relay.port, '/v1/models', { 'x-api-key': 'anything' });
    expect(byKeyHeader.json.data[0].type).toBe('model');
    const prefixed = await get(relay.port, '/anthropic/v1/models');
    expect(prefixed.json.data[0].type).toBe('model');

    const openai = await get(relay.port, '/v1/models');
    expect(openai.json.object).toBe('list');
    expect(openai.json.data[0].object).toBe('model');
  });

  it('pages with limit and after_id the way the SDK follows them', async () => {
    const { relay, client } = await setup();
    const all: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) all.push(model.id);
    const everything = await get(relay.port, '/v1/models?limit=1000', { 'anthropic-version': '2023-06-01' });
    expect(all).toEqual(everything.json.data.map((model: { id: string }) => model.id));
    expect(all.length).toBeGreaterThan(2);
    const first = await get(relay.port, '/v1/models?limit=2', { 'anthropic-version': '2023-06-01' });
    expect(first.json).toMatchObject({ has_more: true, first_id: all[0], last_id: all[1] });
  });

  it('retrieves one model, and answers an unknown one with not_found_error', async () => {
    const { client, relay } = await setup();
    const model = await client.models.retrieve('fake-small');
    expect(model).toMatchObject({ type: 'model', id: 'fake-small' });
    const missing = await get(relay.port, '/v1/models/nope', { 'anthropic-version': '2023-06-01' });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('answers an estimate through the SDK, bare, with ?beta=true and under /anthropic', async () => {
    const { client, relay, upstream } = await setup();
    const small = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello, world' }] });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(small.input_tokens).toBeLessThan(20);
    const withTools = await client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      system: 'You are terse.',
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Hello, world' }],
    });
    expect(withTools.input_tokens).toBeGreaterThan(small.input_tokens + 346);
    for (const path of ['/v1/messages/count_tokens?beta=true', '/anthropic/v1/messages/count_tokens']) {
      const response = await rawPostJson(relay.port, path, { model: 'x', messages: [{ role: 'user', content: 'Hello, world' }] });
      expect(response.json).toEqual({ input_tokens: small.input_tokens });
    }
    const bad = await rawPostJson(relay.port, '/v1/messages/count_tokens', { model: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } });
    // An estimate costs no upstream call.
    expect(upstream.requests).toHaveLength(0);
  });
});

/** A relay service whose answer and timing the test controls. */
function scriptedService(chat: RelayService['chat']): RelayService {
  return { chat, embed: () => Promise.reject(new Error('unused')), listModels: () => [], findModel: () => undefined };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* slowAnswer(gapMs: number): AsyncGenerator<StreamEvent> {
  yield { type: 'message-start', id: 'msg_scripted', model: 'm', provider: 'p' };
  yield { type: 'text-delta', index: 0, delta: 'Hello' };
  await delay(gapMs);
  yield { type: 'text-delta', index: 0, delta: ' world' };
  yield { type: 'usage', inputTokens: 3, outputTokens: 2 };
  yield { type: 'message-end', finishReason: 'stop' };
}

async function serve(service: RelayService): Promise<string> {
  const app = express();
  app.use(express.json());
  app.use(anthropicRoutes(service, { keepAliveMs: 25 }));
  app.use((error: unknown, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
    const encoded = anthropicWire.errors.encode(error as RelayError);
    response.status(encoded.status).set(encoded.headers).json(encoded.body);
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const streamBody = JSON.stringify({ model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] });
const post = (url: string) => fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamBody });
const names = (text: string) => [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);

describe('keep-alive pings', () => {
  it('commits with pings while the upstream is slow to start, and pings through long gaps', async () => {
    const url = await serve(
      scriptedService(async (): Promise<ChatDispatchResult> => {
        await delay(120);
        return { route: { provider: 'p', model: 'm' }, attempts: [], events: slowAnswer(120) };
      }),
    );
    const response = await post(url);
    expect(response.status).toBe(200);
    const events = names(await response.text());
    expect(events[0]).toBe('ping');
    const start = events.indexOf('message_start');
    expect(start).toBeGreaterThan(1);
    const between = events.slice(events.indexOf('content_block_delta'), events.lastIndexOf('content_block_delta'));
    expect(between).toContain('ping');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('reports a failure after the pings in-band, without message_start or message_stop', async () => {
    const url = await serve(
      scriptedService(async () => {
        await delay(80);
        throw new RelayError('All routes are rate-limited.', { status: 429, kind: 'rate-limited', retryAfterMs: 5000 });
      }),
    );
    const response = await post(url);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(names(text)[0]).toBe('ping');
    expect(names(text).at(-1)).toBe('error');
    expect(names(text)).not.toContain('message_start');
    expect(text).toContain('"error":{"type":"rate_limit_error","message":"All routes are rate-limited."}');
  });

  it('keeps the real HTTP status for a failure that comes before the first ping', async () => {
    const url = await serve(scriptedService(() => Promise.reject(new RelayError('Slow down.', { status: 429, kind: 'rate-limited', retryAfterMs: 2000 }))));
    const response = await post(url);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down.' } });
  });
});
