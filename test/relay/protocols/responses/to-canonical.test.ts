import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../../relay/core/errors.js';
import { decodeResponsesRequest } from '../../../../relay/protocols/responses/to-canonical.js';

function decode(body: Record<string, unknown>) {
  return decodeResponsesRequest({ model: 'm', ...body });
}

function refusal(body: Record<string, unknown>): RelayError {
  try {
    decode(body);
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('Responses request → canonical', () => {
  it('turns a string input into one user message after the instructions', () => {
    const { request, stream } = decode({ input: 'hello', instructions: 'Be brief.', stream: true });
    expect(stream).toBe(true);
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'hello' }] },
    ]);
  });

  it('maps message roles and content parts; developer becomes system', () => {
    const image = 'data:image/png;base64,iVBORw0KGgo=';
    const { request } = decode({
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev rules' }] },
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: image, detail: 'low' }, { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'original' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'I see ' }, { type: 'refusal', refusal: 'nothing' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'dev rules' },
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', url: image, detail: 'low' }, { type: 'image', url: 'https://x.test/a.png' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I see nothing' }] },
    ]);
  });

  it('keeps reasoning on the next assistant turn, and drops it when a user message comes first', () => {
    const { request } = decode({
      input: [
        { role: 'user', content: 'q1' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan A' }], encrypted_content: 'opaque' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw thoughts' }] },
        { role: 'assistant', content: 'done' },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'orphan' }] },
        { role: 'user', content: 'q2' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q1' }] },
      { role: 'assistant', content: [], toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }], reasoning: 'plan A' },
      { role: 'tool', toolCallId: 'c1', content: [{ type: 'text', text: 'ok' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'done' }], reasoning: 'raw thoughts' },
      { role: 'user', content: [{ type: 'text', text: 'q2' }] },
    ]);
  });

  it('turns custom tool calls into function calls with one string input, and re-serialises object arguments', () => {
    const { request } = decode({
      input: [
        { role: 'user', content: 'patch it' },
        { type: 'custom_tool_call', call_id: 'cp', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' },
        { type: 'function_call', call_id: 'cf', name: 'f', arguments: { a: 1 } },
        { type: 'custom_tool_call_output', call_id: 'cp', output: 'Done' },
        { type: 'function_call_output', call_id: 'cf', output: [{ type: 'input_text', text: 'see: ' }, { type: 'input_image', image_url: 'https://x.test/i.png' }] },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [],
        toolCalls: [
          { id: 'cp', name: 'apply_patch', arguments: JSON.stringify({ input: '*** Begin Patch\n*** End Patch' }) },
          { id: 'cf', name: 'f', arguments: '{"a":1}' },
        ],
      },
      { role: 'tool', toolCallId: 'cp', content: [{ type: 'text', text: 'Done' }] },
      { role: 'tool', toolCallId: 'cf', content: [{ type: 'text', text: 'see: ' }, { type: 'image', url: 'https://x.test/i.png' }] },
    ]);
  });

  it('offers function and custom tools upstream, drops hosted ones, and remembers the custom names', () => {
    const { request, context } = decode({
      input: 'hi',
      tools: [
        { type: 'function', name: 'shell', description: 'run', parameters: { type: 'object', properties: {} }, strict: true },
        { type: 'custom', name: 'apply_patch', description: 'patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
        { type: 'local_shell' },
        { type: 'web_search', search_context_size: 'low' },
      ],
      tool_choice: 'required',
      parallel_tool_calls: true,
    });
    expect(request.tools?.map((tool) => tool.name)).toEqual(['shell', 'apply_patch']);
    expect(request.tools?.[0]).toEqual({ name: 'shell', description: 'run', parameters: { type: 'object', properties: {} }, strict: true });
    expect(request.tools?.[1]?.parameters).toMatchObject({ type: 'object', required: ['input'], additionalProperties: false });
    expect(request.toolChoice).toBe('required');
    expect(request.parallelToolCalls).toBe(true);
    expect([...context.customTools]).toEqual(['apply_patch']);
    expect(context.echo.tools).toHaveLength(2);
  });

  it('sends no tools and no tool choice when only hosted tools were offered', () => {
    const { request } = decode({ input: 'hi', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search_preview' } });
    expect(request.tools).toBeUndefined();
    expect(request.toolChoice).toBeUndefined();
  });

  it('maps tool_choice objects: function, custom and allowed_tools (which narrows the list)', () => {
    const tools = [
      { type: 'function', name: 'a' },
      { type: 'function', name: 'b' },
      { type: 'custom', name: 'c' },
    ];
    expect(decode({ input: 'x', tools, tool_choice: { type: 'function', name: 'b' } }).request.toolChoice).toEqual({ name: 'b' });
    expect(decode({ input: 'x', tools, tool_choice: { type: 'custom', name: 'c' } }).request.toolChoice).toEqual({ name: 'c' });
    const narrowed = decode({ input: 'x', tools, tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'a' }, { type: 'custom', name: 'c' }] } }).request;
    expect(narrowed.toolChoice).toBe('required');
    expect(narrowed.tools?.map((tool) => tool.name)).toEqual(['a', 'c']);
  });

  it('maps text.format, reasoning.effort and the sampling settings, and ignores the stateless extras', () => {
    const { request, promptCacheKey } = decode({
      input: 'x',
      text: { format: { type: 'json_object' }, verbosity: 'low' },
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 64,
      temperature: 0,
      top_p: 1,
      store: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'conv-1',
      metadata: { a: 'b' },
      user: 'u1',
    });
    expect(request).toMatchObject({ responseFormat: { type: 'json_object' }, reasoningEffort: 'high', maxOutputTokens: 64, temperature: 0, topP: 1, user: 'u1' });
    expect(request.extraBody).toBeUndefined();
    expect(promptCacheKey).toBe('conv-1');
    expect(decode({ input: 'x', text: { format: { type: 'text' } } }).request.responseFormat).toBeUndefined();
  });

  it('refuses what needs stored state, naming the field', () => {
    expect(refusal({ input: 'x', previous_response_id: 'resp_1' })).toMatchObject({ status: 400, param: 'previous_response_id', code: 'previous_response_not_found' });
    // Refused before the body is checked further, so the message says why even without input.
    expect(refusal({ previous_response_id: 'resp_1' }).param).toBe('previous_response_id');
    expect(refusal({ input: 'x', conversation: 'conv_1' }).param).toBe('conversation');
    expect(refusal({ input: 'x', background: true }).param).toBe('background');
    expect(refusal({ input: 'x', prompt: { id: 'pmpt_1' } }).param).toBe('prompt');
    expect(refusal({ input: [{ type: 'item_reference', id: 'msg_1' }] }).param).toBe('input[0].type');
  });

  it('refuses malformed items and unsupported parts with the item named', () => {
    expect(refusal({ input: [{ role: 'robot', content: 'x' }] }).param).toBe('input[0].role');
    expect(refusal({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }).param).toBe('input[0].content[0].type');
    expect(refusal({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }).param).toBe('input[0].content[0].file_id');
    expect(refusal({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://x' }] }] }).param).toBe('input[0].content[0].image_url');
    expect(refusal({ input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x.test/a.png' }] }] }).param).toBe('input[0].content[0].type');
    expect(refusal({ input: [{ type: 'function_call_output', call_id: 'c' }] }).param).toBe('input[0].output');
    expect(refusal({ input: ['text'] }).param).toBe('input[0]');
    expect(refusal({ input: [] }).param).toBe('input');
    expect(refusal({ input: [], instructions: 'only a system prompt' }).param).toBe('input');
    expect(refusal({ input: 'x', max_output_tokens: 0 }).param).toBe('max_output_tokens');
  });
});
