import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../../relay/core/chat-request.js';
import { convertRequest } from '../../../../relay/providers/openai-compatible/convert-request.js';

const base: ChatRequest = { model: 'asked-id', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };

describe('convertRequest', () => {
  it("always streams with usage, under the upstream's own model id", () => {
    expect(convertRequest(base, 'upstream-id', {})).toEqual({
      model: 'upstream-id',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('sends max_completion_tokens, or max_tokens for upstreams that only know that, capped by the quirk', () => {
    expect(convertRequest({ ...base, maxOutputTokens: 100 }, 'm', {})).toMatchObject({ max_completion_tokens: 100 });
    const legacy = convertRequest({ ...base, maxOutputTokens: 100 }, 'm', { useMaxTokens: true });
    expect(legacy).toMatchObject({ max_tokens: 100 });
    expect(legacy).not.toHaveProperty('max_completion_tokens');
    expect(convertRequest({ ...base, maxOutputTokens: 100_000 }, 'm', { defaultMaxOutputTokens: 8192 })).toMatchObject({ max_completion_tokens: 8192 });
    expect(convertRequest(base, 'm', { defaultMaxOutputTokens: 8192 })).toMatchObject({ max_completion_tokens: 8192 });
    expect(convertRequest({ ...base, maxOutputTokens: 0 }, 'm', {})).toMatchObject({ max_completion_tokens: 0 });
  });

  it('never forwards fields that would redirect keys or override the routing, from extraBody', () => {
    const body = convertRequest(
      { ...base, extraBody: { api_base: 'http://evil', base_url: 'http://evil', baseURL: 'http://evil', api_key: 'sk-x', apiKey: 'sk-x', model: 'other', messages: [], stream: false, logprobs: true } },
      'm',
      {},
    );
    expect(body).toMatchObject({ model: 'm', stream: true, logprobs: true });
    expect(JSON.stringify(body)).not.toMatch(/evil|sk-x|other/);
  });

  it('drops OpenAI-only fields and the fields an upstream rejects', () => {
    const body = convertRequest({ ...base, extraBody: { store: true, metadata: { a: 'b' }, logit_bias: { 1: 1 }, service_tier: 'flex' } }, 'm', { dropFields: ['logit_bias'] });
    expect(body).not.toHaveProperty('store');
    expect(body).not.toHaveProperty('metadata');
    expect(body).not.toHaveProperty('service_tier');
    expect(body).not.toHaveProperty('logit_bias');
  });

  it('renames seed where the upstream wants another field, and drops message names where rejected', () => {
    const request: ChatRequest = { ...base, seed: 7, messages: [{ role: 'user', name: 'bob', content: [{ type: 'text', text: 'hi' }] }] };
    expect(convertRequest(request, 'm', {})).toMatchObject({ seed: 7, messages: [{ name: 'bob' }] });
    const quirky = convertRequest(request, 'm', { seedField: 'random_seed', dropMessageName: true });
    expect(quirky).toMatchObject({ random_seed: 7 });
    expect(quirky).not.toHaveProperty('seed');
    expect((quirky.messages as Array<Record<string, unknown>>)[0]).not.toHaveProperty('name');
  });

  it('sends tools with tool_choice and parallel_tool_calls, and tool_choice never without tools', () => {
    const withTools = convertRequest({ ...base, tools: [{ name: 'f' }], toolChoice: { name: 'f' }, parallelToolCalls: false }, 'm', {});
    expect(withTools).toMatchObject({
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
    });
    expect(convertRequest({ ...base, toolChoice: 'required' }, 'm', {})).not.toHaveProperty('tool_choice');
  });

  it('rewrites tool-call ids consistently for upstreams that need short ids', () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
        { role: 'assistant', content: [], toolCalls: [{ id: 'call_abcdefghijklmnopqrstuvwx', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call_abcdefghijklmnopqrstuvwx', content: [{ type: 'text', text: 'sunny' }] },
      ],
    };
    const body = convertRequest(request, 'm', { toolCallIdLength: 9 });
    const messages = body.messages as Array<Record<string, any>>;
    const callId = messages[1]?.tool_calls[0].id as string;
    expect(callId).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(messages[2]?.tool_call_id).toBe(callId);
    expect(messages[1]?.content).toBeNull();
    expect(convertRequest(request, 'm', { toolCallIdLength: 9 })).toEqual(body);
  });

  it('keeps assistant reasoning only inside a tool loop, and only for upstreams that need it', () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        { role: 'assistant', content: [{ type: 'text', text: 'earlier' }], reasoning: 'old thoughts' },
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [], reasoning: 'loop thoughts', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: [{ type: 'text', text: 'ok' }] },
      ],
    };
    const plain = convertRequest(request, 'm', {}).messages as Array<Record<string, unknown>>;
    expect(plain.some((message) => 'reasoning_content' in message)).toBe(false);
    const deepseek = convertRequest(request, 'm', { reasoningInToolLoop: true }).messages as Array<Record<string, unknown>>;
    expect(deepseek[0]).not.toHaveProperty('reasoning_content');
    expect(deepseek[2]?.reasoning_content).toBe('loop thoughts');
  });

  it('sends text-only user content as a string and mixed content as parts', () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', url: 'https://example.com/x.png', detail: 'high' },
          ],
        },
      ],
    };
    expect(convertRequest(request, 'm', {}).messages).toEqual([
      { role: 'user', content: 'ab' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'https://example.com/x.png', detail: 'high' } },
        ],
      },
    ]);
  });
});
