import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios, type Scenario } from '../../../helpers/fake-upstream.js';
import { createHarness } from '../../../helpers/harness.js';
import { rawPostJson, rawRequest } from '../../../helpers/http.js';
import type { TestRelay } from '../../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

async function setup(behavior?: Scenario) {
  const upstream = await h.upstream(behavior === undefined ? {} : { behavior });
  const relay = await h.relayFor([{ id: 'fake', upstream }]);
  return { upstream, relay, client: new Ollama({ host: relay.url }) };
}

function ndjson(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** A body as curl -d sends it: JSON text under the form content type. */
function curlPost(relay: TestRelay, path: string, body: object, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  return rawRequest(relay.port, {
    method: 'POST',
    path,
    headers: { host: `127.0.0.1:${relay.port}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(text)), ...headers },
    body: text,
  });
}

const hi = [{ role: 'user', content: 'hi' }];

describe('Ollama errors before the first byte', () => {
  it('answers an unknown model with 404 {"error":"model \'x\' not found"} and no upstream call', async () => {
    const { client, relay, upstream } = await setup();
    await expect(client.chat({ model: 'qqqq-unknown-zzzz', messages: hi })).rejects.toMatchObject({ status_code: 404, message: "model 'qqqq-unknown-zzzz' not found" });
    const raw = await rawPostJson(relay.port, '/api/generate', { model: 'fake-smal', prompt: 'x' });
    expect(raw.status).toBe(404);
    expect(raw.json.error).toMatch(/^model 'fake-smal' not found; did you mean 'fake-small'/);
    expect(Object.keys(raw.json)).toEqual(['error']);
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it('answers 502 (never 401) when every upstream key is rejected', async () => {
    const upstream = await h.upstream({ requireKey: 'sk-the-right-one' });
    const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'wrong' }] }], { secrets: { k1: 'sk-the-wrong-one' } });
    const client = new Ollama({ host: relay.url });
    const error = await client.chat({ model: 'fake-small', messages: hi, stream: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status_code: 502 });
    expect(String((error as Error).message)).toMatch(/rejected/);
    expect(String((error as Error).message)).not.toContain('sk-the-wrong-one');
  });

  it('answers 429 with Retry-After when the only route is rate-limited', async () => {
    const upstream = await h.upstream({ behavior: scenarios.rateLimited({ retryAfterSeconds: 7 }) });
    const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'only' }] }], { secrets: { k1: 'sk-only' } });
    const response = await rawPostJson(relay.port, '/api/chat', { model: 'fake-small', messages: hi });
    expect(response.status).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(6);
    expect(Object.keys(response.json)).toEqual(['error']);
    expect(response.json.error).toMatch(/rate-limited/);
  });
});

describe('Ollama errors after the first line', () => {
  const faults: Array<[string, Scenario]> = [
    ['an in-band upstream error', { ...scenarios.midStreamError(2), text: 'one two three four' }],
    ['a connection reset', { ...scenarios.resetAfterChunks(2), text: 'one two three four' }],
    ['a clean close without a finish', { ...scenarios.endWithoutDone(), text: 'one two three four' }],
  ];

  it.each(faults)('ends the NDJSON stream with one {"error"} line and no done:true line on %s', async (_name, scenario) => {
    const { relay } = await setup(scenario);
    const response = await rawPostJson(relay.port, '/api/chat', { model: 'fake-small', messages: hi });
    expect(response.status).toBe(200);
    const lines = ndjson(response.text);
    const last = lines.at(-1);
    expect(Object.keys(last)).toEqual(['error']);
    expect(typeof last.error).toBe('string');
    expect(lines.filter((line) => line.done === true)).toHaveLength(0);
    expect(lines.filter((line) => 'error' in line)).toHaveLength(1);
    expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true);
  });

  it('makes the client stream throw on the error line after the content it already got', async () => {
    const { client } = await setup({ ...scenarios.midStreamError(2), text: 'one two three four' });
    const stream = await client.chat({ model: 'fake-small', messages: hi, stream: true });
    let text = '';
    let doneSeen = false;
    const error = await (async () => {
      for await (const part of stream) {
        text += part.message.content;
        if (part.done) doneSeen = true;
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe('one two ');
    expect(doneSeen).toBe(false);
  });

  it('turns the same failure into a real status when not streaming', async () => {
    const { client } = await setup({ ...scenarios.midStreamError(2), text: 'one two three four' });
    await expect(client.chat({ model: 'fake-small', messages: hi })).rejects.toMatchObject({ status_code: 502 });
  });
});

describe('Ollama request handling over raw HTTP', () => {
  it('streams NDJSON by default when `stream` is omitted', async () => {
    const { relay } = await setup();
    const response = await rawPostJson(relay.port, '/api/chat', { model: 'fake-small', messages: hi });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(response.text);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
    expect(lines.map((line) => line.message.content).join('')).toBe(DEFAULT_TEXT);
    const generated = await rawPostJson(relay.port, '/api/generate', { model: 'fake-small', prompt: 'x' });
    expect(ndjson(generated.text).length).toBeGreaterThan(2);
    const whole = await rawPostJson(relay.port, '/api/chat', { model: 'fake-small', messages: hi, stream: false });
    expect(whole.headers['content-type']).toMatch(/^application\/json/);
    expect(whole.json.message.content).toBe(DEFAULT_TEXT);
  });

  it('accepts a `curl -d` form content type without browser headers, refuses it from a browser', async () => {
    const { relay, upstream } = await setup();
    const curl = await curlPost(relay, '/api/generate', { model: 'fake-small', prompt: 'x', stream: false });
    expect(curl.status).toBe(200);
    expect(curl.json.response).toBe(DEFAULT_TEXT);
    const foreign = await curlPost(relay, '/api/generate', { model: 'fake-small', prompt: 'x' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(typeof foreign.json.error).toBe('string');
    const sameOrigin = await curlPost(relay, '/api/generate', { model: 'fake-small', prompt: 'x' }, { origin: `http://127.0.0.1:${relay.port}` });
    expect(sameOrigin.status).toBe(415);
    const fetchMetadata = await curlPost(relay, '/api/chat', { model: 'fake-small', messages: hi }, { 'sec-fetch-site': 'same-origin' });
    expect(fetchMetadata.status).toBe(415);
    expect(upstream.chatRequests()).toHaveLength(1);
  });

  it.each([
    ['malformed JSON', '{"model":', /parse/],
    ['an empty body', '', /empty/],
    ['a missing model', { messages: hi }, /^model is required$/],
    ['options.temperature as a string', { model: 'fake-small', messages: hi, options: { temperature: 'hot' } }, /options\.temperature/],
    ['an infinite temperature', '{"model":"fake-small","messages":[{"role":"user","content":"hi"}],"options":{"temperature":1e400}}', /options\.temperature/],
    ['a fractional num_predict', { model: 'fake-small', messages: hi, options: { num_predict: 1.5 } }, /options\.num_predict/],
    ['stream as a string', { model: 'fake-small', messages: hi, stream: 'false' }, /stream/],
    ['an unknown role', { model: 'fake-small', messages: [{ role: 'admin', content: 'x' }] }, /messages\[0\]\.role/],
    ['content that is not a string', { model: 'fake-small', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }, /messages\[0\]\.content/],
    ['an image that is not an image', { model: 'fake-small', messages: [{ role: 'user', content: 'x', images: ['aGVsbG8gd29ybGQ='] }] }, /images\[0\].*PNG, JPEG, GIF or WebP/],
    ['a tool result with no tool call before it', { model: 'fake-small', messages: [{ role: 'tool', content: 'x', tool_name: 'f' }] }, /no assistant message/],
    ['a bad format', { model: 'fake-small', messages: hi, format: 'yaml' }, /format/],
    ['a bad keep_alive', { model: 'fake-small', messages: hi, keep_alive: 'soon' }, /keep_alive/],
    ['a bad think level', { model: 'fake-small', messages: hi, think: 'extreme' }, /think/],
  ])('answers %s with 400 {"error"} and no upstream call', async (_name, body, pattern) => {
    const { relay, upstream } = await setup();
    const response = await rawPostJson(relay.port, '/api/chat', body as string | object);
    expect(response.status).toBe(400);
    expect(Object.keys(response.json)).toEqual(['error']);
    expect(response.json.error).toMatch(pattern);
    expect(upstream.chatRequests()).toHaveLength(0);
  });
});
