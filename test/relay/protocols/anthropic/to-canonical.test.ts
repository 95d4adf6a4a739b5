import { describe, expect, it } from 'vitest';
import { betasOf, decodeCountTokensRequest, decodeMessagesRequest } from '../../../../relay/protocols/anthropic/to-canonical.js';

const base = { model: 'claude-x', max_tokens: 100 };

describe('Anthropic Messages request → ChatRequest', () => {
  it('decodes a string conversation and the sampling fields', () => {
    const { request, stream, sessionId } = decodeMessagesRequest({
      ...base,
      stream: true,
      system: 'Be brief.',
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'user_1_session_2' },
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Bye' },
      ],
    });
    expect(stream).toBe(true);
    expect(sessionId).toBe('user_1_session_2');
    expect(request).toEqual({
      model: 'claude-x',
      maxOutputTokens: 100,
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
        { role: 'user', content: [{ type: 'text', text: 'Bye' }] },
      ],
      providerOptions: { anthropic: { metadata: { user_id: 'user_1_session_2' } } },
    });
  });

  it("prefers Claude Code's session header for affinity", () => {
    const decoded = decodeMessagesRequest({ ...base, metadata: { user_id: 'u' }, messages: [{ role: 'user', content: 'x' }] }, { 'x-claude-code-session-id': 'sess-9' });
    expect(decoded.sessionId).toBe('sess-9');
  });

  it('drops the billing header from the system text but keeps the raw blocks for Anthropic', () => {
    const system = [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.0; cch=1;' },
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Rules.' },
    ];
    const { request } = decodeMessagesRequest({ ...base, system, messages: [{ role: 'user', content: 'x' }] });
    expect(request.messages[0]).toEqual({ role: 'system', content: 'You are Claude Code.\n\nRules.' });
    expect(request.providerOptions?.anthropic?.system).toEqual(system);
  });

  it('splits tool results out of a user turn, ahead of its text, with errors and images', () => {
    const { request } = decodeMessagesRequest({
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Plan. ', signature: 'sig' },
            { type: 'redacted_thinking', data: 'RED' },
            { type: 'thinking', thinking: 'Unsigned.', signature: '' },
            { type: 'text', text: '' },
            { type: 'tool_use', id: 'toolu_a', name: 'Read', input: { path: 'a' } },
            { type: 'tool_use', id: 'toolu_b', name: 'Read', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'extra' },
            { type: 'tool_result', tool_use_id: 'toolu_a', content: 'A' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_b',
              is_error: true,
              cache_control: { type: 'ephemeral' },
              content: [{ type: 'text', text: 'failed' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }],
            },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant',
        content: [],
        reasoning: 'Plan. Unsigned.',
        toolCalls: [
          { id: 'toolu_a', name: 'Read', arguments: '{"path":"a"}' },
          { id: 'toolu_b', name: 'Read', arguments: '{}' },
        ],
        providerOptions: { anthropic: { thinking: [{ type: 'thinking', thinking: 'Plan. ', signature: 'sig' }, { type: 'redacted_thinking', data: 'RED' }] } },
      },
      { role: 'tool', toolCallId: 'toolu_a', content: [{ type: 'text', text: 'A' }] },
      {
        role: 'tool',
        toolCallId: 'toolu_b',
        isError: true,
        content: [{ type: 'text', text: 'failed' }, { type: 'image', url: 'data:image/png;base64,AAAA' }],
        providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
      },
      { role: 'user', content: [{ type: 'text', text: 'extra' }] },
    ]);
  });

  it('maps tools, server tools and every tool_choice', () => {
    const tools = [
      { name: 'f', description: 'F', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } },
      { type: 'custom', name: 'g', input_schema: { type: 'object' } },
      { type: 'bash_20250124', name: 'bash' },
    ];
    const decode = (tool_choice: unknown) => decodeMessagesRequest({ ...base, tools, tool_choice, messages: [{ role: 'user', content: 'x' }] }).request;
    const auto = decode({ type: 'auto' });
    expect(auto.tools).toEqual([
      { name: 'f', description: 'F', parameters: { type: 'object', properties: {} }, providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } },
      { name: 'g', parameters: { type: 'object' } },
    ]);
    expect(auto.providerOptions?.anthropic?.serverTools).toEqual([{ type: 'bash_20250124', name: 'bash' }]);
    expect(auto.toolChoice).toBe('auto');
    expect(decode({ type: 'any' }).toolChoice).toBe('required');
    expect(decode({ type: 'none' }).toolChoice).toBe('none');
    expect(decode({ type: 'tool', name: 'f', disable_parallel_tool_use: true })).toMatchObject({ toolChoice: { name: 'f' }, parallelToolCalls: false });
    expect(() => decode({ type: 'tool' })).toThrow(/tool_choice\.name/);
  });

  it('keeps documents as text for other upstreams and as the block for Anthropic', () => {
    const pdf = { type: 'document', title: 'Spec', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
    const text = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Plain doc.' } };
    const { request } = decodeMessagesRequest({ ...base, messages: [{ role: 'user', content: [pdf, text, { type: 'search_result', content: [] }] }] });
    expect(request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: '[Document "Spec" (application/pdf) omitted: this model cannot read documents.]', providerOptions: { anthropic: { block: pdf } } },
        { type: 'text', text: 'Plain doc.', providerOptions: { anthropic: { block: text } } },
      ],
    });
  });

  it('keeps betas, thinking and unknown fields for an Anthropic upstream', () => {
    const { request } = decodeMessagesRequest(
      { ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'high' }, context_management: { edits: [] }, messages: [{ role: 'user', content: 'x' }] },
      { 'anthropic-beta': ['a-1, b-2', 'a-1'] },
    );
    expect(request.providerOptions?.anthropic).toEqual({
      thinking: { type: 'adaptive' },
      betas: ['a-1', 'b-2'],
      body: { output_config: { effort: 'high' }, context_management: { edits: [] } },
    });
    expect(betasOf({ 'anthropic-beta': 'ok-1,not ok,\r\nx' })).toEqual(['ok-1', 'x']);
  });

  it('clamps temperature to Anthropic range and validates like Anthropic', () => {
    expect(decodeMessagesRequest({ ...base, temperature: 1.7, messages: [{ role: 'user', content: 'x' }] }).request.temperature).toBe(1);
    expect(decodeMessagesRequest({ ...base, max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }).request.maxOutputTokens).toBe(0);
    const invalid: Array<[unknown, RegExp]> = [
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }] }, /^max_tokens: Field required$/],
      [{ ...base, max_tokens: 1.5, messages: [{ role: 'user', content: 'x' }] }, /^max_tokens: /],
      [{ ...base, messages: [] }, /^messages: /],
      [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, /^messages\.0\.role: /],
      [{ ...base, stream: 'true', messages: [{ role: 'user', content: 'x' }] }, /^stream: /],
      [{ ...base, temperature: -1, messages: [{ role: 'user', content: 'x' }] }, /^temperature: /],
      [{ ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'text/html', data: 'x' } }] }] }, /^messages\.0\.content\.0\.source/],
      [{ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: 'nope' }] }] }, /^messages\.0\.content\.0\.input: /],
      [{ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }, /^messages\.0\.content\.0\.tool_use_id: Field required$/],
    ];
    for (const [body, message] of invalid) {
      expect(() => decodeMessagesRequest(body), JSON.stringify(body)).toThrow(message);
    }
  });

  it('decodes count_tokens bodies without max_tokens', () => {
    expect(decodeCountTokensRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).messages).toHaveLength(1);
    expect(() => decodeCountTokensRequest({ model: 'm' })).toThrow(/^messages: Field required$/);
  });
});
