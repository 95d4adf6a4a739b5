import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../../relay/core/chat-request.js';
import { DEFAULT_MAX_TOKENS, anthropicToolId, betaHeader, convertRequest } from '../../../../relay/providers/anthropic/convert-request.js';

const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });

describe('ChatRequest → Anthropic Messages body', () => {
  it('folds system messages into system and defaults max_tokens', () => {
    const body = convertRequest({ model: 'v', messages: [{ role: 'system', content: 'A' }, user('hi'), { role: 'system', content: 'B' }] }, 'claude-x');
    expect(body).toEqual({ model: 'claude-x', max_tokens: DEFAULT_MAX_TOKENS, stream: true, system: 'A\n\nB', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    expect(convertRequest({ model: 'v', messages: [user('hi')] }, 'm', { defaultMaxOutputTokens: 1000 }).max_tokens).toBe(1000);
  });

  it('puts tool results first in one user turn, merged with the user text around them', () => {
    const request: ChatRequest = {
      model: 'v',
      messages: [
        user('go'),
        { role: 'assistant', content: [{ type: 'text', text: 'Calling.' }], toolCalls: [{ id: 'a', name: 'f', arguments: '{"x":1}' }, { id: 'b', name: 'f', arguments: '' }] },
        { role: 'tool', toolCallId: 'a', content: [{ type: 'text', text: 'one' }] },
        user('meanwhile'),
        { role: 'tool', toolCallId: 'b', content: [], isError: true },
        user('next'),
      ],
    };
    expect(convertRequest(request, 'm').messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calling.' },
          { type: 'tool_use', id: 'a', name: 'f', input: { x: 1 } },
          { type: 'tool_use', id: 'b', name: 'f', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'a', content: 'one' },
          { type: 'tool_result', tool_use_id: 'b', is_error: true },
          { type: 'text', text: 'meanwhile' },
          { type: 'text', text: 'next' },
        ],
      },
    ]);
  });

  it('sends images as base64 or URL sources and drops empty text and empty turns', () => {
    const body = convertRequest(
      {
        model: 'v',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: '' },
              { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
              { type: 'image', url: 'https://example.com/a.png' },
              { type: 'image', url: 'ftp://nope' },
            ],
          },
          { role: 'assistant', content: [{ type: 'text', text: '' }] },
          { role: 'tool', toolCallId: 'x', content: [{ type: 'text', text: 'r' }, { type: 'image', url: 'data:image/png;base64,AAAA' }] },
        ],
      },
      'm',
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'x', content: [{ type: 'text', text: 'r' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
          { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        ],
      },
    ]);
  });

  it('rewrites tool ids to the characters Anthropic accepts, the same way for call and result', () => {
    expect(anthropicToolId('functions.get_weather:0')).toBe('functions_get_weather_0');
    expect(anthropicToolId('toolu_01-ok')).toBe('toolu_01-ok');
    expect(anthropicToolId('')).toBe('toolu_empty');
  });

  it('maps tool choice, parallel calls, sampling and the user', () => {
    const base: ChatRequest = { model: 'v', messages: [user('x')], tools: [{ name: 'f', parameters: { type: 'object' } }], temperature: 1.8, topP: 0.9, topK: 5, stop: ['END'], user: 'u1' };
    expect(convertRequest({ ...base, toolChoice: 'required', parallelToolCalls: false }, 'm')).toMatchObject({
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      temperature: 1,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
    });
    expect(convertRequest({ ...base, toolChoice: { name: 'f' } }, 'm').tool_choice).toEqual({ type: 'tool', name: 'f' });
    expect(convertRequest({ ...base, toolChoice: 'none' }, 'm').tool_choice).toEqual({ type: 'none' });
    expect(convertRequest({ ...base, parallelToolCalls: false }, 'm').tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(convertRequest({ model: 'v', messages: [user('x')], toolChoice: 'required' }, 'm').tool_choice).toBeUndefined();
  });

  it('sends signed thinking first, never unsigned reasoning, and drops thinking for a tool loop that began elsewhere', () => {
    const signed = { anthropic: { thinking: [{ type: 'thinking', thinking: 'T', signature: 'S' }] } };
    const withLoop = (providerOptions?: typeof signed): ChatRequest => ({
      model: 'v',
      providerOptions: { anthropic: { thinking: { type: 'enabled', budget_tokens: 2048 } } },
      messages: [
        user('go'),
        { role: 'assistant', content: [], reasoning: 'T', toolCalls: [{ id: 'a', name: 'f', arguments: '{}' }], ...(providerOptions ? { providerOptions } : {}) },
        { role: 'tool', toolCallId: 'a', content: [{ type: 'text', text: 'ok' }] },
      ],
    });
    const kept = convertRequest(withLoop(signed), 'm');
    expect(kept.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect((kept.messages as Array<{ content: unknown[] }>)[1]?.content[0]).toEqual({ type: 'thinking', thinking: 'T', signature: 'S' });
    const dropped = convertRequest(withLoop(), 'm');
    expect(dropped.thinking).toBeUndefined();
    expect(JSON.stringify(dropped.messages)).not.toContain('"thinking"');
  });

  it('restores raw system blocks, cache_control, server tools, documents and passthrough fields', () => {
    const cache = { anthropic: { cacheControl: { type: 'ephemeral' } } };
    const document = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
    const body = convertRequest(
      {
        model: 'v',
        messages: [
          { role: 'system', content: 'joined' },
          { role: 'user', content: [{ type: 'text', text: 'hi', providerOptions: cache }, { type: 'text', text: '[Document omitted]', providerOptions: { anthropic: { block: document } } }] },
        ],
        tools: [{ name: 'f', providerOptions: cache }],
        maxOutputTokens: 100,
        providerOptions: {
          anthropic: {
            system: [{ type: 'text', text: 'raw', cache_control: { type: 'ephemeral' } }],
            serverTools: [{ type: 'web_search_20250305', name: 'web_search' }],
            body: { max_tokens: 5, model: 'evil', context_management: { edits: [] } },
          },
        },
      },
      'claude-x',
    );
    expect(body).toMatchObject({
      model: 'claude-x',
      max_tokens: 100,
      system: [{ type: 'text', text: 'raw', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'f', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }, { type: 'web_search_20250305', name: 'web_search' }],
      context_management: { edits: [] },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }, document] }],
    });
  });

  it('passes only well-formed anthropic-beta values', () => {
    expect(betaHeader({ model: 'v', messages: [], providerOptions: { anthropic: { betas: ['a-1', 'bad value', 'b.2'] } } })).toBe('a-1,b.2');
    expect(betaHeader({ model: 'v', messages: [] })).toBeUndefined();
  });
});
