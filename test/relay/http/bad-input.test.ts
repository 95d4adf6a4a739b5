import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../../helpers/fake-upstream.js';
import { createHarness } from '../../helpers/harness.js';
import { expectOpenAiErrorShape, rawPostJson, rawRequest, type RawResponse } from '../../helpers/http.js';
import type { TestRelay } from '../../helpers/start-relay.js';

const h = createHarness();
let upstream: FakeUpstream;
let relay: TestRelay;

beforeAll(async () => {
  upstream = await h.upstream();
  relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small', 'fake-large'] }], { extra: { server: { bodyLimitMb: 1 } } });
});
afterAll(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});
afterEach(() => upstream.reset());

const user = [{ role: 'user', content: 'hi' }];

function post(body: string | object, path = '/v1/chat/completions'): Promise<RawResponse> {
  return rawPostJson(relay.port, path, body);
}

/** The relay answered the bad input itself: OpenAI-shaped JSON, no HTML, no stack, no upstream call. */
function expectRefused(response: RawResponse, status: number) {
  expect(response.status).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  expect(response.text).not.toMatch(/<html|<pre|<!DOCTYPE|\n\s+at |node_modules|\.ts:\d+/i);
  expect(upstream.requests).toHaveLength(0);
  return expectOpenAiErrorShape(response.json);
}

describe('bodies that are not a JSON object', () => {
  it.each([
    ['malformed JSON', '{"model":'],
    ['a truncated string', '{"model":"fake-small","messages":[{"role":"user","content":"hi'],
    ['a JSON array', '[{"model":"fake-small"}]'],
    ['a JSON string', '"fake-small"'],
    ['a JSON number', '1'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['whitespace only', '  \n '],
    ['an empty body', ''],
  ])('answers 400 to %s', async (_name, body) => {
    const error = expectRefused(await post(body), 400);
    expect(error.type).toBe('invalid_request_error');
  });

  it('answers 400 to a POST with no body at all (no Content-Length)', async () => {
    const response = await rawRequest(relay.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { host: `127.0.0.1:${relay.port}`, 'content-type': 'application/json' },
    });
    const error = expectRefused(response, 400);
    expect(error.message).toMatch(/empty|body/i);
  });

  it('names the parse problem like OpenAI does', async () => {
    const error = expectRefused(await post('{"model":'), 400);
    expect(error.message).toMatch(/could not parse the JSON body/);
  });
});

describe('invalid fields', () => {
  it('answers 400 with param "model" when the model is missing', async () => {
    const error = expectRefused(await post({ messages: user }), 400);
    expect(error.param).toBe('model');
    expect(error.message).toContain("'model'");
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['10 000 characters', 'x'.repeat(10_000)],
  ])('answers 400 when the model is %s', async (_name, model) => {
    const error = expectRefused(await post({ model, messages: user }), 400);
    expect(error.param).toBe('model');
  });

  it('answers 404 model_not_found with the nearest ids for an unknown model', async () => {
    const error = expectRefused(await post({ model: 'fake-smal', messages: user }), 404);
    expect(error.code).toBe('model_not_found');
    expect(error.message).toContain("'fake-small'");
    const far = expectRefused(await post({ model: 'completely-different-model-name', messages: user }), 404);
    expect(far.code).toBe('model_not_found');
  });

  it('does not build a URL from a model with path or control characters', async () => {
    for (const model of ['../../admin', 'fake-small\r\nX-Evil: 1', 'http://evil.example/v1', 'fake-small\u0000']) {
      const response = await post({ model, messages: user });
      expect([400, 404]).toContain(response.status);
      expectRefused(response, response.status);
    }
  });

  it.each([
    ['"admin"', 'admin'],
    ['"System " (trailing space)', 'System '],
    ['"function" (deprecated)', 'function'],
    ['a number', 3],
  ])('answers 400 naming messages[i].role for the role %s', async (_name, role) => {
    const error = expectRefused(await post({ model: 'fake-small', messages: [{ role: 'system', content: 'x' }, { role, content: 'hi' }] }), 400);
    expect(error.param).toBe('messages[1].role');
  });

  it('says a present field has the wrong type, rather than that it is missing', async () => {
    const messages = expectRefused(await post({ model: 'fake-small', messages: 'hi' }), 400);
    expect(messages.message).toBe("Invalid type for 'messages': expected array.");
    const stream = expectRefused(await post({ model: 'fake-small', messages: user, stream: 'false' }), 400);
    expect(stream.message).toBe("Invalid type for 'stream': expected boolean.");
    const model = expectRefused(await post({ messages: user }), 400);
    expect(model.message).toBe("Missing required parameter: 'model'.");
    const content = expectRefused(await post({ model: 'fake-small', messages: [{ role: 'user' }] }), 400);
    expect(content.param).toBe('messages[0].content');
  });

  it.each([
    ['missing', undefined],
    ['a string', 'hi'],
    ['an object', { role: 'user', content: 'hi' }],
    ['an empty array', []],
    ['an array holding a string', ['hi']],
    ['null', null],
  ])('answers 400 when messages is %s', async (_name, messages) => {
    const error = expectRefused(await post({ model: 'fake-small', ...(messages === undefined ? {} : { messages }) }), 400);
    expect(error.param).toMatch(/^messages/);
  });

  it.each([
    ['negative', -1],
    ['not an integer', 1.5],
    ['a string', '100'],
    ['beyond a safe integer', 2 ** 53 + 2],
  ])('answers 400 when max_tokens is %s', async (_name, value) => {
    const error = expectRefused(await post({ model: 'fake-small', messages: user, max_tokens: value }), 400);
    expect(error.param).toBe('max_tokens');
  });

  it('answers 400 when max_tokens is 1e400 (Infinity after parsing), instead of forwarding null', async () => {
    const error = expectRefused(await post('{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"max_tokens":1e400}'), 400);
    expect(error.param).toBe('max_tokens');
  });

  it('answers 400 when max_completion_tokens is negative', async () => {
    const error = expectRefused(await post({ model: 'fake-small', messages: user, max_completion_tokens: -5 }), 400);
    expect(error.param).toBe('max_completion_tokens');
  });

  it('accepts max_tokens: 0', async () => {
    const response = await post({ model: 'fake-small', messages: user, max_tokens: 0 });
    expect(response.status).toBe(200);
  });

  it.each([
    ['the string "false"', 'false'],
    ['the string "true"', 'true'],
    ['1', 1],
  ])('answers 400 when stream is %s, rather than guessing', async (_name, stream) => {
    const error = expectRefused(await post({ model: 'fake-small', messages: user, stream }), 400);
    expect(error.param).toBe('stream');
  });

  it('answers 400 for non-finite or out-of-range sampling parameters', async () => {
    expectRefused(await post('{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"temperature":1e999}'), 400);
    expectRefused(await post({ model: 'fake-small', messages: user, temperature: 5 }), 400);
    expectRefused(await post({ model: 'fake-small', messages: user, n: 3 }), 400);
  });

  it('answers 400 for an image part that is not an http(s) or data:image URL', async () => {
    const error = expectRefused(
      await post({ model: 'fake-small', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }),
      400,
    );
    expect(error.param).toContain('messages[0]');
  });

  it('answers 400 for bad embeddings input and bad legacy prompts', async () => {
    expectRefused(await post({ model: 'fake-small', input: 42 }, '/v1/embeddings'), 400);
    expectRefused(await post({ model: 'fake-small', input: [] }, '/v1/embeddings'), 400);
    expectRefused(await post({ model: 'fake-small', input: 'x', encoding_format: 'int8' }, '/v1/embeddings'), 400);
    expectRefused(await post({ model: 'fake-small' }, '/v1/completions'), 400);
    expectRefused(await post({ model: 'fake-small', prompt: ['a', 'b'] }, '/v1/completions'), 400);
  });
});

describe('size limits', () => {
  it('answers 413 to a body over server.bodyLimitMb', async () => {
    const big = JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'x'.repeat(1.5 * 1024 * 1024) }] });
    const error = expectRefused(await post(big), 413);
    expect(error.type).toBe('invalid_request_error');
    // The relay is fine afterwards.
    expect((await post({ model: 'fake-small', messages: user })).status).toBe(200);
  });

  it('accepts a body just under the limit', async () => {
    const response = await post({ model: 'fake-small', messages: [{ role: 'user', content: 'x'.repeat(900 * 1024) }] });
    expect(response.status).toBe(200);
  });
});

describe('hostile JSON', () => {
  it.each([
    ['at the top level', '{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"__proto__":{"polluted":1}}'],
    ['inside a message', '{"model":"fake-small","messages":[{"role":"user","content":"hi","__proto__":{"polluted":1}}]}'],
    ['inside tool parameters', '{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"__proto__":{"polluted":1}}}}]}'],
    ['as constructor.prototype', '{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"metadata":{"constructor":{"prototype":{"polluted":1}}}}'],
    ['spelled with escapes', '{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"\\u005f_proto__":{"polluted":1}}'],
  ])('answers 400 to a __proto__ key %s, and nothing is polluted', async (_name, body) => {
    expectRefused(await post(body), 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['tool parameters', (deep: string) => `{"model":"fake-small","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`],
    ['an extra field, with a lone surrogate to clean', (deep: string) => `{"model":"fake-small","messages":[{"role":"user","content":"x\\ud800"}],"metadata":${deep}}`],
    ['a message', (deep: string) => `{"model":"fake-small","messages":[{"role":"user","content":"x","extra":${deep}}]}`],
  ])('answers 400, not a 500, to JSON nested 100 000 levels deep in %s', async (_name, build) => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const error = expectRefused(await post(build(deep)), 400);
    expect(error.message).toMatch(/nested/);
  });

  it('accepts reasonable nesting (a tool schema 40 levels deep)', async () => {
    let schema: object = { type: 'string' };
    for (let level = 0; level < 40; level++) schema = { type: 'object', properties: { inner: schema } };
    const response = await post({ model: 'fake-small', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] });
    expect(response.status).toBe(200);
    expect(upstream.chatRequests()[0]?.body.tools[0].function.parameters).toEqual(schema);
  });

  it('routes and forwards the same model when "model" appears twice (last wins)', async () => {
    const response = await post('{"model":"fake-small","model":"fake-large","messages":[{"role":"user","content":"hi"}]}');
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-model']).toBe('fake-large');
    expect(upstream.chatRequests()[0]?.body.model).toBe('fake-large');
  });

  it('forwards a lone surrogate as U+FFFD, escaped or raw', async () => {
    const escaped = await post('{"model":"fake-small","messages":[{"role":"user","content":"a\\ud800b \\udfff c \\ud83d\\ude00"}]}');
    expect(escaped.status).toBe(200);
    expect(upstream.chatRequests()[0]?.body.messages[0].content).toBe('a\uFFFDb \uFFFD c \u{1F600}');
    expect(upstream.chatRequests()[0]?.rawBody).not.toMatch(/\\ud[89a-f]/i);
    // Invalid UTF-8 bytes (a raw surrogate encoded as CESU) arrive as replacement characters too.
    const bytes = Buffer.concat([Buffer.from('{"model":"fake-small","messages":[{"role":"user","content":"x'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('y"}]}')]);
    const raw = await rawRequest(relay.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { host: `127.0.0.1:${relay.port}`, 'content-type': 'application/json', 'content-length': String(bytes.length) },
      body: bytes,
    });
    expect(raw.status).toBe(200);
    expect(upstream.chatRequests()[1]?.body.messages[0].content).toMatch(/^x\uFFFD+y$/);
  });

  it('never forwards api_base or base_url from the body', async () => {
    const response = await post({ model: 'fake-small', messages: user, api_base: 'http://evil.example/v1', base_url: 'http://evil.example', baseURL: 'http://evil.example' });
    expect(response.status).toBe(200);
    const sent = upstream.chatRequests()[0];
    expect(sent?.rawBody).not.toContain('evil.example');
  });
});

describe('unknown endpoints and methods', () => {
  it.each([
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/nope'],
    ['GET', '/v2/models'],
    ['DELETE', '/v1/models/fake-small'],
  ])('answers %s %s with a JSON 404', async (method, path) => {
    const response = await rawRequest(relay.port, {
      method,
      path,
      headers: { host: `127.0.0.1:${relay.port}`, 'content-type': 'application/json', 'content-length': '2' },
      body: '{}',
    });
    expectRefused(response, 404);
  });
});
