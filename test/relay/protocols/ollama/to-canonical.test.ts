import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../../relay/core/errors.js';
import type { ModelListing } from '../../../../relay/core/relay-service.js';
import { encodeError, ollamaStatus } from '../../../../relay/protocols/ollama/encode-error.js';
import { ollamaCapabilities, rfc3339, showResponse, tagEntry } from '../../../../relay/protocols/ollama/encode-models.js';
import { imageUrlOf } from '../../../../relay/protocols/ollama/images.js';
import { LoadedModels, parseKeepAlive } from '../../../../relay/protocols/ollama/loaded-models.js';
import { modelFamily, parameterSize, resolveModelName } from '../../../../relay/protocols/ollama/model-names.js';
import { decodeChatRequest, decodeGenerateRequest } from '../../../../relay/protocols/ollama/to-canonical.js';

const b64 = (bytes: number[]) => Buffer.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).toString('base64');

describe('Ollama images', () => {
  it.each([
    ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['image/jpeg', [0xff, 0xd8, 0xff, 0xe0]],
    ['image/gif', [...Buffer.from('GIF89a')]],
    ['image/webp', [...Buffer.from('RIFF'), 1, 2, 3, 4, ...Buffer.from('WEBP')]],
  ])('sniffs %s from the magic bytes', (type, bytes) => {
    expect(imageUrlOf(b64(bytes), 'images[0]')).toBe(`data:${type};base64,${b64(bytes)}`);
  });

  it('keeps data: and http(s) URLs, tolerates line breaks and the URL-safe alphabet, refuses the rest', () => {
    expect(imageUrlOf('data:image/png;base64,AAAA', 'x')).toBe('data:image/png;base64,AAAA');
    expect(imageUrlOf('https://example.com/cat.png', 'x')).toBe('https://example.com/cat.png');
    const png = b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(imageUrlOf(`${png.slice(0, 10)}\n${png.slice(10)}`, 'x')).toBe(`data:image/png;base64,${png}`);
    expect(() => imageUrlOf('not base64!', 'messages[0].images[0]')).toThrow(/messages\[0\]\.images\[0\] is not base64/);
    expect(() => imageUrlOf(Buffer.from('%PDF-1.7 hello').toString('base64'), 'images[1]')).toThrow(/images\[1\] is not a PNG, JPEG, GIF or WebP/);
  });
});

describe('Ollama request decoding', () => {
  it('streams by default, maps options, think levels and keep_alive', () => {
    const decoded = decodeChatRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      options: { num_predict: -1, top_k: 0, stop: 'END', num_ctx: 4096, mirostat: 2 },
      think: 'max',
      keep_alive: '1h30m',
    });
    expect(decoded.stream).toBe(true);
    expect(decoded.keepAliveMs).toBe(90 * 60_000);
    expect(decoded.request).toEqual({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stop: ['END'], reasoningEffort: 'high' });
    expect(decodeChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: false, think: false })).toMatchObject({ stream: false, hideThinking: true });
  });

  it('treats no messages, or an empty prompt, as a load', () => {
    expect(decodeChatRequest({ model: 'm' }).request).toBeUndefined();
    expect(decodeGenerateRequest({ model: 'm', prompt: '', keep_alive: 0 })).toMatchObject({ request: undefined, keepAliveMs: 0 });
  });

  it('matches tool results without ids by name, then by order', () => {
    const decoded = decodeChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }, { id: 'kept', function: { name: 'b', arguments: '{"x":1}' } }] },
        { role: 'tool', content: 'B', tool_name: 'b' },
        { role: 'tool', content: 'A' },
      ],
    });
    expect(decoded.request?.messages.slice(1)).toEqual([
      { role: 'assistant', content: [], toolCalls: [{ id: 'call_1_0', name: 'a', arguments: '{}' }, { id: 'kept', name: 'b', arguments: '{"x":1}' }] },
      { role: 'tool', toolCallId: 'kept', content: [{ type: 'text', text: 'B' }] },
      { role: 'tool', toolCallId: 'call_1_0', content: [{ type: 'text', text: 'A' }] },
    ]);
    expect(() =>
      decodeChatRequest({
        model: 'm',
        messages: [
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a' } }] },
          { role: 'tool', content: 'x', tool_name: 'zzz' },
        ],
      }),
    ).toThrow(/tool_name 'zzz' matches no tool call/);
  });
});

describe('keep_alive and /api/ps', () => {
  it.each([
    [undefined, undefined],
    [300, 300_000],
    ['300', 300_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    [0, 0],
    ['0', 0],
  ])('parses %s', (value, expected) => {
    expect(parseKeepAlive(value as string | number | undefined)).toBe(expected);
  });

  it('treats negative values as forever and refuses words', () => {
    expect(parseKeepAlive(-1)).toBeGreaterThan(100 * 365 * 86_400_000);
    expect(parseKeepAlive('-1m')).toBeGreaterThan(100 * 365 * 86_400_000);
    expect(() => parseKeepAlive('later')).toThrow(/keep_alive/);
  });

  it('expires models, unloads on 0 and lists the most recent first', () => {
    let now = 1_000;
    const loaded = new LoadedModels(() => now, 2);
    loaded.touch('a', 1_000);
    loaded.touch('b', undefined);
    expect(loaded.list().map((model) => model.id)).toEqual(['b', 'a']);
    now = 2_500;
    expect(loaded.list().map((model) => model.id)).toEqual(['b']);
    loaded.touch('c', 10_000);
    loaded.touch('d', 10_000);
    expect(loaded.list().map((model) => model.id)).toEqual(['d', 'c']);
    loaded.touch('d', 0);
    expect(loaded.list().map((model) => model.id)).toEqual(['c']);
  });
});

describe('Ollama model names and model objects', () => {
  const listings = new Map<string, ModelListing>([
    ['fake-small', { id: 'fake-small', ownedBy: 'fake', created: 1_767_225_600, virtual: false }],
    ['qwen3:latest', { id: 'qwen3:latest', ownedBy: 'ollama', created: 1_767_225_600, virtual: false }],
  ]);
  const find = (id: string) => listings.get(id);

  it('treats x and x:latest as the same model, and keeps other tags', () => {
    expect(resolveModelName(find, 'fake-small:latest')).toBe('fake-small');
    expect(resolveModelName(find, 'fake-small')).toBe('fake-small');
    expect(resolveModelName(find, 'qwen3')).toBe('qwen3:latest');
    expect(resolveModelName(find, 'qwen3:latest')).toBe('qwen3:latest');
    expect(resolveModelName(find, 'openrouter/llama:free')).toBe('openrouter/llama:free');
    expect(resolveModelName(find, 'unknown:latest')).toBe('unknown:latest');
  });

  it('guesses family and parameter size from the id', () => {
    expect([modelFamily('groq/llama-3.3-70b-versatile'), parameterSize('groq/llama-3.3-70b-versatile')]).toEqual(['llama', '70B']);
    expect([modelFamily('Qwen/Qwen3-Coder-480B-A35B-Instruct'), parameterSize('Qwen/Qwen3-Coder-480B-A35B-Instruct')]).toEqual(['qwen', '480B']);
    expect([modelFamily('mixtral-8x7b'), parameterSize('mixtral-8x7b')]).toEqual(['mistral', '8x7B']);
    expect([modelFamily('openai/gpt-oss-120b'), parameterSize('openai/gpt-oss-120b')]).toEqual(['gptoss', '120B']);
    expect([modelFamily('auto-fastest'), parameterSize('auto-fastest')]).toEqual(['', '']);
  });

  it('reports capabilities from what the relay knows', () => {
    expect(ollamaCapabilities(undefined)).toEqual(['completion', 'tools']);
    expect(ollamaCapabilities({ tools: true, vision: true, reasoning: true })).toEqual(['completion', 'tools', 'vision', 'thinking']);
    expect(ollamaCapabilities({ tools: false })).toEqual(['completion']);
    expect(ollamaCapabilities({ embeddings: true })).toEqual(['embedding']);
    const listing: ModelListing = { id: 'm', ownedBy: 'p', created: 0, virtual: false, contextWindow: 4096, capabilities: { vision: true } };
    expect(tagEntry(listing)).toMatchObject({ name: 'm', model: 'm', modified_at: '1970-01-01T00:00:00.000+00:00', capabilities: ['completion', 'tools', 'vision'] });
    expect(tagEntry({ ...listing, capabilities: undefined as never })).not.toHaveProperty('capabilities');
    expect(showResponse(listing).model_info).toEqual({ 'general.architecture': 'switchboard', 'general.basename': 'm', 'switchboard.context_length': 4096 });
    expect(rfc3339(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000+00:00');
  });
});

describe('Ollama error statuses', () => {
  const error = (status: number, kind: RelayError['kind']) => new RelayError('x', { status, kind });
  it.each([
    [error(401, 'upstream-auth'), 502],
    [error(402, 'upstream-payment'), 502],
    [error(401, 'unauthorized'), 401],
    [error(404, 'not-found'), 404],
    [error(422, 'upstream-request'), 400],
    [error(408, 'upstream-timeout'), 504],
    [error(529, 'overloaded'), 503],
    [error(501, 'invalid-request'), 501],
    [error(520, 'upstream-server'), 502],
  ])('maps %s to %i', (relayError, status) => {
    expect(ollamaStatus(relayError)).toBe(status);
  });

  it('is {"error"} with Retry-After when known', () => {
    expect(encodeError(new RelayError('slow down', { status: 429, kind: 'rate-limited', retryAfterMs: 2500 }))).toEqual({ status: 429, headers: { 'retry-after': '3' }, body: { error: 'slow down' } });
  });
});
