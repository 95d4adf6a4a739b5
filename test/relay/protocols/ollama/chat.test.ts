import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness } from '../../../helpers/harness.js';
import { pollUntil } from '../../../helpers/http.js';
import type { TestRelay } from '../../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** A 1×1 PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export function ollamaFor(relay: TestRelay): Ollama {
  return new Ollama({ host: relay.url });
}

async function setup(behavior?: Parameters<typeof h.upstream>[0]) {
  const upstream = await h.upstream(behavior);
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small', 'fake-large'] }]);
  return { upstream, relay, client: ollamaFor(relay) };
}

describe('POST /api/chat through the official ollama client', () => {
  it('answers without streaming: one done object with the whole message, counts and nanosecond timings', async () => {
    const { client, upstream } = await setup();
    const response = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'Hi there, fake!' }] });
    expect(response.model).toBe('fake-small');
    expect(response.message).toEqual({ role: 'assistant', content: DEFAULT_TEXT });
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe('stop');
    expect(response.prompt_eval_count).toBe(4);
    expect(response.eval_count).toBe(5);
    for (const field of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
      expect(Number.isInteger(response[field])).toBe(true);
      expect(response[field]).toBeGreaterThanOrEqual(0);
    }
    expect(response.eval_duration).toBeGreaterThan(0);
    expect(response.total_duration).toBeGreaterThanOrEqual(response.prompt_eval_duration + response.eval_duration);
    expect(new Date(String(response.created_at)).getTime()).not.toBeNaN();
    expect(upstream.chatRequests()[0]?.body).toMatchObject({ model: 'fake-small', messages: [{ role: 'user', content: 'Hi there, fake!' }] });
  });

  it('streams text chunk by chunk and ends with exactly one done:true object', async () => {
    const { client } = await setup();
    const stream = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const parts = [];
    for await (const part of stream) parts.push(part);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.filter((part) => part.done)).toHaveLength(1);
    const last = parts.at(-1);
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe('stop');
    expect(last?.message).toEqual({ role: 'assistant', content: '' });
    expect(last?.eval_count).toBe(5);
    expect(parts.map((part) => part.message.content).join('')).toBe(DEFAULT_TEXT);
    expect(parts.every((part) => part.model === 'fake-small' && part.message.role === 'assistant')).toBe(true);
  });

  it('returns tool calls with arguments as an object, once per call, buffered from the fragments', async () => {
    const calls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Tokyo","days":3}' },
      { id: 'call_2', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ];
    const { client, upstream } = await setup({ behavior: scenarios.toolCalls(calls, { toolCallChunks: 4 }) });
    const stream = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool], stream: true });
    const toolCalls = [];
    let last;
    for await (const part of stream) {
      toolCalls.push(...(part.message.tool_calls ?? []));
      last = part;
    }
    expect(toolCalls).toEqual([
      { id: 'call_1', function: { index: 0, name: 'get_weather', arguments: { city: 'Tokyo', days: 3 } } },
      { id: 'call_2', function: { index: 1, name: 'get_weather', arguments: { city: 'Paris' } } },
    ]);
    // Ollama ends a tool-call turn with "stop".
    expect(last?.done_reason).toBe('stop');
    expect(upstream.chatRequests()[0]?.body.tools).toEqual([weatherTool]);

    const whole = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    expect(whole.message.tool_calls).toEqual(toolCalls);
    expect(whole.message.content).toBe('');
  });

  it('gives {} for a call without arguments and keeps unparsable arguments as their text', async () => {
    const { client } = await setup({
      behavior: scenarios.toolCalls([
        { id: 'call_a', name: 'now', arguments: '' },
        { id: 'call_b', name: 'broken', arguments: '{"city": "Tok' },
      ]),
    });
    const response = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'x' }] });
    expect(response.message.tool_calls?.map((call) => call.function.arguments)).toEqual([{}, '{"city": "Tok']);
  });

  it('puts reasoning in message.thinking, and hides it with think:false', async () => {
    const { client, upstream } = await setup({ behavior: scenarios.reasoning('Let me think about it.', 'Answer.') });
    const response = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'q' }], think: 'high' });
    expect(response.message).toEqual({ role: 'assistant', content: 'Answer.', thinking: 'Let me think about it.' });
    expect(upstream.chatRequests()[0]?.body.reasoning_effort).toBe('high');

    const stream = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'q' }], think: true, stream: true });
    let thinking = '';
    for await (const part of stream) thinking += part.message.thinking ?? '';
    expect(thinking).toBe('Let me think about it.');
    expect(upstream.chatRequests()[1]?.body.reasoning_effort).toBeUndefined();

    const hidden = await client.chat({ model: 'fake-small', messages: [{ role: 'user', content: 'q' }], think: false });
    expect(hidden.message).toEqual({ role: 'assistant', content: 'Answer.' });
  });

  it('translates a tool loop: object arguments, tool_name matched to the call ids, images as data URLs', async () => {
    const { client, upstream } = await setup();
    await client.chat({
      model: 'fake-small:latest',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Tokyo and Paris? See picture.', images: [PNG_BASE64] },
        {
          role: 'assistant',
          content: '',
          thinking: 'I should call the tool twice.',
          tool_calls: [
            { function: { name: 'get_weather', arguments: { city: 'Tokyo' } } },
            { function: { name: 'get_weather', arguments: { city: 'Paris' } } },
          ],
        },
        { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
        { role: 'tool', content: 'rainy', tool_name: 'get_weather' },
      ],
      tools: [weatherTool],
      options: { temperature: 0.2, top_p: 0.9, top_k: 40, num_predict: 100, stop: ['END'], seed: 7, num_ctx: 8192, presence_penalty: 0.5, frequency_penalty: 0.1 },
      format: 'json',
    });
    const body = upstream.chatRequests()[0]?.body;
    // `x:latest` is `x`.
    expect(body.model).toBe('fake-small');
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(body.messages[1].content).toEqual([
      { type: 'text', text: 'Weather in Tokyo and Paris? See picture.' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
    ]);
    expect(body.messages[2].tool_calls).toEqual([
      { id: 'call_2_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
      { id: 'call_2_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(body.messages[3]).toMatchObject({ role: 'tool', tool_call_id: 'call_2_0', content: 'sunny' });
    expect(body.messages[4]).toMatchObject({ role: 'tool', tool_call_id: 'call_2_1', content: 'rainy' });
    expect(body).toMatchObject({ temperature: 0.2, top_p: 0.9, stop: ['END'], seed: 7, presence_penalty: 0.5, frequency_penalty: 0.1, response_format: { type: 'json_object' } });
    expect(body.max_completion_tokens ?? body.max_tokens).toBe(100);
    expect(body.num_ctx).toBeUndefined();
  });

  it('keeps tool_call_id when the client sends it, and a JSON schema format becomes json_schema', async () => {
    const { client, upstream } = await setup();
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    await client.chat({
      model: 'fake-small',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_kept', function: { name: 'get_weather', arguments: { city: 'Oslo' } } }] } as never,
        { role: 'tool', content: 'cold', tool_call_id: 'call_kept' } as never,
      ],
      format: schema,
    });
    const body = upstream.chatRequests()[0]?.body;
    expect(body.messages[1].tool_calls[0].id).toBe('call_kept');
    expect(body.messages[2].tool_call_id).toBe('call_kept');
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } });
  });

  it('names the route in x-switchboard headers', async () => {
    const { relay } = await setup();
    const response = await fetch(`${relay.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.headers.get('x-switchboard-provider')).toBe('fake');
    expect(response.headers.get('x-switchboard-model')).toBe('fake-small');
    expect(response.headers.get('x-switchboard-attempts')).toBe('1');
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    await response.text();
  });

  it('cancels the upstream request when the client aborts its stream', async () => {
    // Chunks 2 s apart and a long idle timeout: only the client's abort can end this quickly.
    const upstream = await h.upstream({ behavior: scenarios.slow({ interChunkMs: 2000 }, { text: 'one two three four' }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }], { extra: { timeouts: { idleMs: 10_000, totalMs: 20_000 } } });
    const stream = await ollamaFor(relay).chat({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let received = '';
    const reading = (async () => {
      for await (const part of stream) {
        received += part.message.content;
        if (received !== '') stream.abort();
      }
    })().catch(() => undefined);
    const abortedAt = await pollUntil(() => (received !== '' ? Date.now() : 0), { what: 'the first chunk' });
    await upstream.waitForAbort(1, 1000);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    await reading;
    expect(received).toBe('one ');
  });
});
