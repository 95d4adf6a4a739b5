import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness } from '../../../helpers/harness.js';
import { rawPostJson } from '../../../helpers/http.js';
import type { TestRelay } from '../../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

export function anthropicFor(relay: TestRelay, prefix = ''): Anthropic {
  return new Anthropic({ baseURL: `${relay.url}${prefix}`, apiKey: 'x', maxRetries: 0, timeout: 10_000 });
}

async function setup(behavior?: Parameters<typeof h.upstream>[0]) {
  const upstream = await h.upstream(behavior);
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small', 'fake-large'] }]);
  return { upstream, relay, client: anthropicFor(relay) };
}

/** `event:` names in order, checking each frame's data carries the same type. */
function eventNames(sse: string): string[] {
  return sse
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.+)$/m.exec(frame)?.[1];
      const data = JSON.parse(/^data: (.+)$/m.exec(frame)?.[1] ?? 'null');
      expect(data.type).toBe(event);
      return event ?? '';
    });
}

describe('Anthropic Messages through the official SDK', () => {
  it('streams text with messages.stream() and assembles the final message', async () => {
    const { client } = await setup();
    const stream = client.messages.stream({ model: 'fake-small', max_tokens: 256, messages: [{ role: 'user', content: 'Hi there, fake!' }] });
    const pieces: string[] = [];
    stream.on('text', (text) => pieces.push(text));
    const message = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(DEFAULT_TEXT);
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe('fake-small');
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.stop_sequence).toBeNull();
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  it('sends named SSE events in the protocol order', async () => {
    const { relay } = await setup();
    const response = await rawPostJson(relay.port, '/v1/messages', { model: 'fake-small', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['x-switchboard-provider']).toBe('fake');
    const names = eventNames(response.text);
    expect(names[0]).toBe('message_start');
    expect(names[1]).toBe('content_block_start');
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((name) => name === 'message_start')).toHaveLength(1);
    expect(response.text).toContain('"content_block":{"type":"text","text":""}');
  });

  it('answers a non-streaming request with one Anthropic message', async () => {
    const { client, upstream } = await setup();
    const message = await client.messages.create({ model: 'fake-small', max_tokens: 100, messages: [{ role: 'user', content: 'Hi there, fake!' }] });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'fake-small', content: [{ type: 'text', text: DEFAULT_TEXT }], stop_reason: 'end_turn' });
    expect(message.usage.output_tokens).toBe(5);
    // The upstream is always streamed; the wire collects for non-streaming clients.
    expect(upstream.chatRequests()[0]?.body).toMatchObject({ model: 'fake-small', stream: true, max_completion_tokens: 100 });
  });

  it('turns an upstream tool call into tool_use and forwards the tool_result as a tool message', async () => {
    const { client, upstream } = await setup({ behavior: scenarios.toolCalls([{ id: 'call_weather1', name: 'get_weather', arguments: '{"city":"Paris"}' }]) });
    const first = await client.messages.stream({ model: 'fake-small', max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: 'call_weather1', name: 'get_weather', input: { city: 'Paris' } }]);

    upstream.setBehavior(scenarios.ok('It is sunny.'));
    const second = await client.messages.create({
      model: 'fake-small',
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_weather1', content: [{ type: 'text', text: 'sunny, 24 C' }] },
            { type: 'text', text: 'Answer briefly.' },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny.' }]);
    const sent = upstream.chatRequests()[1]?.body;
    expect(sent.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weatherTool.input_schema } }]);
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_weather1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_weather1', content: 'sunny, 24 C' },
      { role: 'user', content: 'Answer briefly.' },
    ]);
  });

  it('streams upstream reasoning_content as a thinking block with an empty signature', async () => {
    const { client } = await setup({ behavior: scenarios.reasoning('Let me think.', 'Forty-two.') });
    const message = await client.messages.stream({ model: 'fake-small', max_tokens: 256, messages: [{ role: 'user', content: 'Meaning of life?' }] }).finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Forty-two.' },
    ]);
  });

  it('keeps what a plain upstream can use and drops the billing header and cache_control', async () => {
    const { upstream, relay } = await setup();
    const response = await rawPostJson(relay.port, '/v1/messages?beta=true', {
      model: 'fake-small',
      max_tokens: 32_000,
      stream: true,
      temperature: 1.5,
      stop_sequences: ['END'],
      metadata: { user_id: 'user_abc_session_123' },
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.0; cc_entrypoint=cli; cch=1;' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be brief.' },
      ],
      thinking: { type: 'adaptive' },
      tools: [{ ...weatherTool, cache_control: { type: 'ephemeral' } }, { type: 'web_search_20250305', name: 'web_search' }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:', cache_control: { type: 'ephemeral' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    }, { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14' });
    expect(response.status).toBe(200);
    const sent = upstream.chatRequests()[0];
    expect(sent?.rawBody).not.toContain('cache_control');
    expect(sent?.rawBody).not.toContain('billing-header');
    expect(sent?.rawBody).not.toContain('web_search');
    expect(sent?.headers['anthropic-beta']).toBeUndefined();
    expect(sent?.body).toMatchObject({
      temperature: 1,
      stop: ['END'],
      tool_choice: 'required',
      parallel_tool_calls: false,
      messages: [
        { role: 'system', content: 'You are Claude Code.\n\nBe brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(sent?.body.tools).toHaveLength(1);
    expect(sent?.body.thinking).toBeUndefined();
  });

  it("answers the SDK's beta client, which adds ?beta=true and anthropic-beta", async () => {
    const { client } = await setup();
    const message = await client.beta.messages.create({ model: 'fake-small', max_tokens: 10, betas: ['interleaved-thinking-2025-05-14'], messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }]);
  });

  it('cancels the upstream when the client goes away mid-stream', async () => {
    const { upstream, relay } = await setup({ behavior: scenarios.slow({ interChunkMs: 100 }, { text: 'one two three four five six seven eight' }) });
    const controller = new AbortController();
    const response = await fetch(`${relay.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-small', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'count' }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await upstream.waitForAbort(1, 2000);
    expect(upstream.aborted).toHaveLength(1);
  });

  it('serves the same wire under /anthropic', async () => {
    const { relay } = await setup();
    const message = await anthropicFor(relay, '/anthropic').messages.create({ model: 'fake-large', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.model).toBe('fake-large');
  });
});
