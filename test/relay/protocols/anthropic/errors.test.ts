import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness } from '../../../helpers/harness.js';
import { rawPostJson, rawRequest } from '../../../helpers/http.js';
import type { TestRelay } from '../../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

function client(relay: TestRelay, apiKey = 'x'): Anthropic {
  return new Anthropic({ baseURL: relay.url, apiKey, maxRetries: 0, timeout: 10_000 });
}

const hello = { model: 'fake-small', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

async function caught(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** The Anthropic error body every relay error must have. */
function expectAnthropicError(body: any, type: string): string {
  expect(body).toMatchObject({ type: 'error', error: { type } });
  expect(typeof body.error.message).toBe('string');
  return body.error.message;
}

describe('Anthropic error shapes', () => {
  it('answers a rate-limited upstream with 429 rate_limit_error and retry-after', async () => {
    const upstream = await h.upstream({ behavior: scenarios.rateLimited({ retryAfterSeconds: 7 }) });
    // A keyed route: the key's cooldown is what tells the relay when to come back.
    const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'main' }] }], { secrets: { k1: 'sk-one' } });
    const error = await caught(client(relay).messages.create(hello));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.type).toBe('rate_limit_error');
    expect(error.headers?.get('retry-after')).toBe('7');
    expect(error.headers?.get('x-should-retry')).toBe('true');
  });

  it('answers 500 api_error, never 401, when every upstream key is rejected', async () => {
    const upstream = await h.upstream({ requireKey: 'good-key' });
    const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'main' }] }], { secrets: { k1: 'bad-key' } });
    const error = await caught(client(relay).messages.create(hello));
    expect(error.status).toBe(500);
    expect(error.type).toBe('api_error');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(error.message).not.toContain('bad-key');
  });

  it('answers 529 overloaded_error when every candidate is overloaded', async () => {
    const upstream = await h.upstream({ behavior: { status: 529 } });
    const relay = await h.relayFor([{ id: 'fake', upstream }]);
    const error = await caught(client(relay).messages.create(hello));
    expect(error.status).toBe(529);
    expect(error.type).toBe('overloaded_error');
  });

  it('answers 404 not_found_error for an unknown Claude id when the model map is off', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'fake', upstream }], { extra: { anthropic: { modelMap: [] } } });
    const error = await caught(client(relay).messages.create({ ...hello, model: 'claude-sonnet-4-5' }));
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.type).toBe('not_found_error');
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it('routes an unknown Claude id through the model map by default', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'fake', upstream }], { extra: { anthropic: { modelMap: [{ match: 'claude-*', model: 'fake-small' }] } } });
    const message = await client(relay).messages.create({ ...hello, model: 'claude-sonnet-4-5-20250929' });
    expect(message.model).toBe('fake-small');
  });

  it('answers bad input with 400 invalid_request_error in Anthropic wording', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'fake', upstream }]);
    const missing = await rawPostJson(relay.port, '/v1/messages', { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(missing.status).toBe(400);
    expect(expectAnthropicError(missing.json, 'invalid_request_error')).toBe('max_tokens: Field required');
    expect(missing.headers['x-should-retry']).toBe('false');

    const role = await rawPostJson(relay.port, '/v1/messages', { ...hello, messages: [{ role: 'system', content: 'hi' }] });
    expect(role.status).toBe(400);
    expect(expectAnthropicError(role.json, 'invalid_request_error')).toMatch(/^messages\.0\.role: /);

    const negative = await rawPostJson(relay.port, '/v1/messages?beta=true', { ...hello, max_tokens: -1 });
    expect(expectAnthropicError(negative.json, 'invalid_request_error')).toMatch(/^max_tokens: /);

    const badJson = await rawPostJson(relay.port, '/anthropic/v1/messages', '{"model": ');
    expect(badJson.status).toBe(400);
    expectAnthropicError(badJson.json, 'invalid_request_error');

    const sdk = await caught(client(relay).messages.create({ ...hello, messages: [] }));
    expect(sdk).toBeInstanceOf(Anthropic.BadRequestError);
    expect(sdk.type).toBe('invalid_request_error');
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it('accepts the relay token as x-api-key and answers a wrong one with 401 authentication_error', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'fake', upstream }], { env: { SWITCHBOARD_TOKEN: 'relay-secret' } });
    const message = await client(relay, 'relay-secret').messages.create(hello);
    expect(message.type).toBe('message');
    const error = await caught(client(relay, 'wrong').messages.create(hello));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.type).toBe('authentication_error');
  });

  it('ends a stream that fails after its first byte with event: error, never message_stop', async () => {
    const upstream = await h.upstream({ behavior: { errorAfterChunks: 2 } });
    const relay = await h.relayFor([{ id: 'fake', upstream }]);
    const stream = client(relay).messages.stream(hello);
    const error = await caught(stream.finalMessage());
    expect(error.status).toBeUndefined();
    expect(error.type).toBe('api_error');

    const raw = await rawPostJson(relay.port, '/v1/messages', { ...hello, stream: true });
    expect(raw.status).toBe(200);
    const names = [...raw.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names[0]).toBe('message_start');
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_delta');
    expect(names).not.toContain('message_stop');
    expect(raw.text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":".+"\}\}\n\n$/);
  });

  it('ends a truncated upstream stream with event: error', async () => {
    const upstream = await h.upstream({ behavior: { endWithoutDone: true } });
    const relay = await h.relayFor([{ id: 'fake', upstream }]);
    const raw = await rawPostJson(relay.port, '/v1/messages', { ...hello, stream: true });
    const names = [...raw.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_stop');
    // Non-streaming: the failure still has its HTTP status.
    const error = await caught(client(relay).messages.create(hello));
    expect(error.status).toBe(500);
    expect(error.type).toBe('api_error');
  });

  it('answers unknown paths under /anthropic in Anthropic shape', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'fake', upstream }]);
    const response = await rawRequest(relay.port, { path: '/anthropic/v1/nothing', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(response.status).toBe(404);
    expectAnthropicError(response.json, 'not_found_error');
  });
});
