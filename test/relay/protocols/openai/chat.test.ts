import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../../helpers/harness.js';
import { rawPostJson, sseDataFrames } from '../../../helpers/http.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

async function setup(behavior?: Parameters<typeof h.upstream>[0]) {
  const upstream = await h.upstream(behavior);
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small', 'fake-large'] }]);
  return { upstream, relay, client: sdkFor(relay) };
}

describe('OpenAI chat completions through the official SDK', () => {
  it('answers a non-streaming request with an OpenAI-shaped completion', async () => {
    const { client, upstream } = await setup();
    const completion = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'Hi there, fake!' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('fake-small');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: DEFAULT_TEXT });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
    // The relay always streams from the upstream and collects for non-streaming clients.
    expect(upstream.chatRequests()).toHaveLength(1);
    expect(upstream.chatRequests()[0]?.body).toMatchObject({ model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'Hi there, fake!' }] });
  });

  it('streams text chunk by chunk, ending with a finish chunk, and no usage chunk unless asked', async () => {
    const { relay } = await setup();
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-accel-buffering']).toBe('no');
    expect(response.headers['content-encoding']).toBeUndefined();
    const frames = sseDataFrames(response.text);
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && !('usage' in chunk))).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.slice(1).some((chunk) => 'role' in chunk.choices[0].delta)).toBe(false);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(DEFAULT_TEXT);
    const last = chunks.at(-1);
    expect(last.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(true);
  });

  it('streams through the SDK and adds one usage chunk (choices: []) only with stream_options.include_usage', async () => {
    const { client } = await setup();
    const withUsage = await client.chat.completions.create({
      model: 'fake-small',
      messages: [{ role: 'user', content: 'Hi there, fake!' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const usageChunks: unknown[] = [];
    let finish: string | null | undefined;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) {
        expect(chunk.choices).toEqual([]);
        usageChunks.push(chunk.usage);
      } else {
        expect(chunk.usage).toBeNull();
      }
    }
    expect(text).toBe(DEFAULT_TEXT);
    expect(finish).toBe('stop');
    expect(usageChunks).toEqual([expect.objectContaining({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 })]);

    const without = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let sawUsage = false;
    let sawEmptyChoices = false;
    for await (const chunk of without) {
      if (chunk.usage) sawUsage = true;
      if (chunk.choices.length === 0) sawEmptyChoices = true;
    }
    expect(sawUsage).toBe(false);
    expect(sawEmptyChoices).toBe(false);
  });

  it('reconstructs streamed tool calls with the SDK stream helper', async () => {
    const args = '{"city":"Paris","unit":"celsius"}';
    const { client, upstream } = await setup({
      behavior: scenarios.toolCalls(
        [
          { id: 'call_a', name: 'get_weather', arguments: args },
          { id: 'call_b', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        ],
        { toolCallChunks: 4 },
      ),
    });
    const stream = client.chat.completions.stream({ model: 'fake-small', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool], tool_choice: 'auto' });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toEqual([
      expect.objectContaining({ id: 'call_a', type: 'function', function: expect.objectContaining({ name: 'get_weather', arguments: args }) }),
      expect.objectContaining({ id: 'call_b', type: 'function', function: expect.objectContaining({ name: 'get_weather', arguments: '{"city":"Oslo"}' }) }),
    ]);
    // The tool definition and choice reached the upstream unchanged.
    const sent = upstream.chatRequests()[0]?.body;
    expect(sent.tools).toEqual([weatherTool]);
    expect(sent.tool_choice).toBe('auto');
  });

  it('returns tool calls in a non-streaming completion with string arguments', async () => {
    const { client } = await setup({ behavior: scenarios.toolCalls([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]) });
    const completion = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
  });

  it('passes reasoning_content through, streamed and collected', async () => {
    const { client } = await setup({ behavior: scenarios.reasoning('Let me think about it.', 'The answer is 4.') });
    const completion = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: '2+2?' }] });
    const message = completion.choices[0]?.message as unknown as { content: string; reasoning_content?: string };
    expect(message.content).toBe('The answer is 4.');
    expect(message.reasoning_content).toBe('Let me think about it.');

    const stream = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: '2+2?' }], stream: true });
    let reasoning = '';
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      text += delta?.content ?? '';
    }
    expect(reasoning).toBe('Let me think about it.');
    expect(text).toBe('The answer is 4.');
  });

  it('forwards response_format json_schema, stop, seed, temperature and image parts to the upstream body', async () => {
    const { client, upstream } = await setup();
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    const image = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    await client.chat.completions.create({
      model: 'fake-small',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: image, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
      stop: ['END', 'STOP'],
      seed: 42,
      temperature: 0.3,
    });
    const sent = upstream.chatRequests()[0]?.body;
    expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });
    expect(sent.stop).toEqual(['END', 'STOP']);
    expect(sent.seed).toBe(42);
    expect(sent.temperature).toBe(0.3);
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'image_url', image_url: { url: image, detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
      },
    ]);
  });

  it('forwards a single stop string as a list and json_object response formats', async () => {
    const { client, upstream } = await setup();
    await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'json please' }], stop: 'END', response_format: { type: 'json_object' } });
    const sent = upstream.chatRequests()[0]?.body;
    expect(sent.stop).toEqual(['END']);
    expect(sent.response_format).toEqual({ type: 'json_object' });
  });

  it('maps max_completion_tokens and max_tokens to one output-token field upstream', async () => {
    const { client, upstream } = await setup();
    await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'a' }], max_completion_tokens: 50 });
    await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'b' }], max_tokens: 30 });
    await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'c' }], max_tokens: 30, max_completion_tokens: 60 });
    await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'd' }] });
    const limits = upstream.chatRequests().map((request) => {
      const body = request.body as Record<string, unknown>;
      // Exactly one of the two names, never both.
      expect('max_tokens' in body && 'max_completion_tokens' in body).toBe(false);
      return body.max_completion_tokens ?? body.max_tokens;
    });
    expect(limits).toEqual([50, 30, 60, undefined]);
  });

  it('passes unknown fields through but never the ones that would redirect keys', async () => {
    const { upstream, relay } = await setup();
    const response = await rawPostJson(relay.port, '/v1/chat/completions', {
      model: 'fake-small',
      messages: [{ role: 'user', content: 'hi' }],
      logprobs: true,
      top_logprobs: 2,
      api_base: 'http://evil.example/v1',
      base_url: 'http://evil.example/v1',
      api_key: 'sk-from-body',
    });
    expect(response.status).toBe(200);
    const sent = upstream.chatRequests()[0];
    expect(sent?.body).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expect(sent?.body).not.toHaveProperty('api_base');
    expect(sent?.body).not.toHaveProperty('base_url');
    expect(sent?.body).not.toHaveProperty('api_key');
    expect(sent?.rawBody).not.toContain('evil.example');
  });
});

describe('legacy completions', () => {
  it('answers /v1/completions without streaming', async () => {
    const { client, upstream } = await setup({ behavior: scenarios.ok('four') });
    const completion = await client.completions.create({ model: 'fake-small', prompt: '2+2=', max_tokens: 5 });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.choices[0]).toMatchObject({ index: 0, text: 'four', finish_reason: 'stop' });
    expect(upstream.chatRequests()[0]?.body.messages).toEqual([{ role: 'user', content: '2+2=' }]);
  });

  it('streams /v1/completions as text_completion chunks ending with [DONE]', async () => {
    const { client, relay } = await setup({ behavior: scenarios.ok('one two three') });
    const stream = await client.completions.create({ model: 'fake-small', prompt: 'count:', stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      text += chunk.choices[0]?.text ?? '';
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    }
    expect(text).toBe('one two three');
    expect(finish).toBe('stop');

    const raw = await rawPostJson(relay.port, '/v1/completions', { model: 'fake-small', prompt: 'count:', stream: true });
    expect(sseDataFrames(raw.text).at(-1)).toBe('[DONE]');
  });
});

describe('paths without /v1', () => {
  it('serves /chat/completions, /completions and /models for clients whose base URL lacks /v1', async () => {
    const { relay } = await setup();
    const client = sdkFor(relay, { v1: false });
    const completion = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_TEXT);
    const legacy = await client.completions.create({ model: 'fake-small', prompt: 'hi' });
    expect(legacy.choices[0]?.text).toBe(DEFAULT_TEXT);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('fake-small');
  });
});
