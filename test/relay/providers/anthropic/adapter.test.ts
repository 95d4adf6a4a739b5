import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropicUpstream, type AnthropicScenario, type FakeAnthropicUpstream } from '../../../helpers/fake-anthropic-upstream.js';
import { FAST_TIMEOUTS, rawPostJson } from '../../../helpers/http.js';
import { startTestRelay, type TestRelay } from '../../../helpers/start-relay.js';

const KEY = 'sk-ant-test-key';
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function setup(behavior: AnthropicScenario = {}, env: Record<string, string> = { ANTHROPIC_API_KEY: KEY }) {
  const upstream: FakeAnthropicUpstream = await startFakeAnthropicUpstream({ behavior, requireKey: KEY, models: ['claude-fake-sonnet', 'claude-fake-haiku'] });
  open.push(upstream);
  const relay: TestRelay = await startTestRelay({
    config: { version: 1, providers: { anthropic: { baseUrl: upstream.url } }, timeouts: FAST_TIMEOUTS, routing: { maxRetryWaitMs: 0 }, anthropic: { modelMap: [] } },
    env,
  });
  open.push(relay);
  await relay.relay.discovered();
  const anthropic = new Anthropic({ baseURL: relay.url, apiKey: 'client-token', maxRetries: 0, timeout: 10_000 });
  const openai = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: 'client-token', maxRetries: 0, timeout: 10_000 });
  return { upstream, relay, anthropic, openai };
}

async function caught(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const hello = { model: 'claude-fake-sonnet', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('the native Anthropic adapter, Anthropic wire in', () => {
  it('discovers the models and keeps thinking signatures, usage and stop reasons', async () => {
    const { anthropic } = await setup({
      thinking: { text: 'Let me think it over.', signature: 'sig-REAL-abc' },
      text: 'Done.',
      stopReason: 'stop_sequence',
      stopSequence: 'END',
      usage: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    });
    const message = await anthropic.messages.stream(hello).finalMessage();
    expect(message.model).toBe('claude-fake-sonnet');
    expect(message.id).toBe('msg_fake01');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think it over.', signature: 'sig-REAL-abc' },
      { type: 'text', text: 'Done.' },
    ]);
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('END');
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 });
  });

  it('passes redacted thinking and tool_use through', async () => {
    const { anthropic } = await setup({ redactedThinking: 'ENCRYPTED==', toolUses: [{ id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } }] });
    const message = await anthropic.messages.create(hello);
    expect(message.content).toEqual([
      { type: 'redacted_thinking', data: 'ENCRYPTED==' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('forwards cache_control, system blocks, betas, thinking and unknown fields, with the relay key only', async () => {
    const { upstream, relay } = await setup();
    const system = [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.0; cc_entrypoint=cli;' },
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
    ];
    const tools = [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }];
    const messages = [
      { role: 'user', content: 'Read a.txt' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should read it.', signature: 'sig-1' },
          { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a.txt' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'hello', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Summarise.', cache_control: { type: 'ephemeral' } },
        ],
      },
    ];
    const response = await rawPostJson(
      relay.port,
      '/v1/messages?beta=true',
      { model: 'claude-fake-sonnet', max_tokens: 32000, stream: true, system, tools, messages, thinking: { type: 'adaptive' }, metadata: { user_id: 'user_x' }, output_config: { effort: 'high' } },
      { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14', authorization: 'Bearer client-token' },
    );
    expect(response.status).toBe(200);
    const sent = upstream.messageRequests()[0];
    expect(sent?.headers['x-api-key']).toBe(KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers['anthropic-beta']).toBe('claude-code-20250219,interleaved-thinking-2025-05-14');
    expect(sent?.body).toEqual({
      model: 'claude-fake-sonnet',
      max_tokens: 32000,
      stream: true,
      system,
      tools,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Read a.txt' }] },
        messages[1],
        messages[2],
      ],
      thinking: { type: 'adaptive' },
      metadata: { user_id: 'user_x' },
      output_config: { effort: 'high' },
    });
  });

  it('never sends thinking that came from another upstream, and then turns thinking off for that tool loop', async () => {
    const { upstream, anthropic } = await setup();
    await anthropic.messages.create({
      model: 'claude-fake-sonnet',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'Read a.txt' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'From a non-Anthropic model.', signature: '' },
            { type: 'tool_use', id: 'call_abc.1', name: 'Read', input: { path: 'a.txt' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_abc.1', content: 'hello' }] },
      ],
    });
    const body = upstream.messageRequests()[0]?.body;
    expect(JSON.stringify(body)).not.toContain('From a non-Anthropic model.');
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'call_abc_1', name: 'Read', input: { path: 'a.txt' } }] });
    expect(body.messages[2].content[0].tool_use_id).toBe('call_abc_1');
    expect(body.thinking).toBeUndefined();
  });

  it('answers an upstream 429 with 429 rate_limit_error and its retry-after', async () => {
    const { anthropic } = await setup({ status: 429, headers: { 'retry-after': '9' } });
    const limited = await caught(anthropic.messages.create(hello));
    expect(limited.status).toBe(429);
    expect(limited.type).toBe('rate_limit_error');
    expect(limited.headers?.get('retry-after')).toBe('9');
  });

  it("relays an upstream request error with the upstream's own words", async () => {
    const { anthropic } = await setup({ status: 400, errorMessage: 'prompt is too long: 205351 tokens > 200000 maximum' });
    const tooLong = await caught(anthropic.messages.create(hello));
    expect(tooLong.status).toBe(400);
    expect(tooLong.type).toBe('invalid_request_error');
    expect(tooLong.message).toContain('prompt is too long: 205351 tokens > 200000 maximum');
  });

  it('answers 529 overloaded_error when Anthropic is overloaded', async () => {
    const { anthropic } = await setup({ status: 529 });
    const overloaded = await caught(anthropic.messages.create(hello));
    expect(overloaded.status).toBe(529);
    expect(overloaded.type).toBe('overloaded_error');
  });

  it('answers 500 api_error, not 401, when Anthropic rejects the relay key', async () => {
    const { anthropic, upstream } = await setup({ status: 401, errorMessage: `invalid x-api-key ${KEY}` });
    const error = await caught(anthropic.messages.create(hello));
    expect(upstream.messageRequests()[0]?.headers['x-api-key']).toBe(KEY);
    expect(error.status).toBe(500);
    expect(error.type).toBe('api_error');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    // The upstream's words about a key can echo it; they never reach the client.
    expect(error.message).not.toContain(KEY);
  });

  it('ends the client stream with event: error when Anthropic fails mid-stream', async () => {
    const { relay } = await setup({ text: 'one two three four', errorAfterEvents: 3 });
    const response = await rawPostJson(relay.port, '/v1/messages', { ...hello, stream: true });
    const names = [...response.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names[0]).toBe('message_start');
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_stop');
    expect(response.text).toContain('"type":"overloaded_error"');
  });
});

describe('the native Anthropic adapter, OpenAI wire in', () => {
  it('translates system, tools and tool history to Anthropic and tool_use back to tool_calls', async () => {
    const { upstream, openai } = await setup({ toolUses: [{ id: 'toolu_02B', name: 'get_weather', input: { city: 'Oslo' } }] });
    const completion = await openai.chat.completions.create({
      model: 'claude-fake-sonnet',
      temperature: 1.7,
      tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Unsigned reasoning.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        } as OpenAI.Chat.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: 'rainy' },
        { role: 'user', content: 'And Oslo?' },
      ],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toEqual([{ id: 'toolu_02B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
    const body = upstream.messageRequests()[0]?.body;
    expect(body).toMatchObject({ model: 'claude-fake-sonnet', system: 'Be brief.', temperature: 1, tool_choice: { type: 'any' }, max_tokens: 8192, stream: true });
    expect(body.tools).toEqual([{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'rainy' },
          { type: 'text', text: 'And Oslo?' },
        ],
      },
    ]);
  });

  it('streams Anthropic thinking as reasoning_content', async () => {
    const { openai } = await setup({ thinking: { text: 'Hmm.', signature: 'sig' }, text: 'Yes.' });
    const stream = await openai.chat.completions.create({ model: 'claude-fake-sonnet', stream: true, messages: [{ role: 'user', content: 'Sure?' }] });
    let reasoning = '';
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      text += delta?.content ?? '';
    }
    expect(reasoning).toBe('Hmm.');
    expect(text).toBe('Yes.');
  });
});
