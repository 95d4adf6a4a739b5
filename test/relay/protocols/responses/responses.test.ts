import { APIError, BadRequestError, NotFoundError, RateLimitError } from 'openai';
import type { ResponseInputItem, ResponseOutputItem, ResponseStreamEvent, Tool } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../../helpers/harness.js';
import { expectOpenAiErrorShape, rawPostJson, rawRequest } from '../../../helpers/http.js';
import { sseFrames } from './helpers.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const shellTool: Tool = {
  type: 'function',
  name: 'shell',
  description: 'Runs a shell command',
  parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'], additionalProperties: false },
  strict: false,
};

const applyPatchTool: Tool = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Use the `apply_patch` tool to edit files. This is a FREEFORM tool.',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
};

const patch = '*** Begin Patch\n*** Add File: hello.txt\n+Hello, "world"!\n*** End Patch';

async function setup(behavior?: Parameters<typeof h.upstream>[0]) {
  const upstream = await h.upstream(behavior);
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small', 'fake-large'] }]);
  return { upstream, relay, client: sdkFor(relay) };
}

describe('OpenAI Responses through the official SDK', () => {
  it('answers a non-streaming request with a whole response object; the SDK computes output_text', async () => {
    const { client, upstream } = await setup();
    const response = await client.responses.create({ model: 'fake-small', input: 'Hi there, fake!', instructions: 'Be brief.' });
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('fake-small');
    expect(response.output_text).toBe(DEFAULT_TEXT);
    expect(response.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: DEFAULT_TEXT, annotations: [] }] },
    ]);
    // The fake upstream counts characters / 4 over every message, the system message included.
    expect(response.usage).toEqual({ input_tokens: 6, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 11 });
    expect(response.instructions).toBe('Be brief.');
    expect((response as unknown as { store: boolean }).store).toBe(false);
    // instructions → the system message; the relay always streams from the upstream.
    const sent = upstream.chatRequests()[0]?.body;
    expect(sent).toMatchObject({ model: 'fake-small', stream: true });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there, fake!' },
    ]);
  });

  it('streams with responses.stream(): text deltas in order, numbered events, a final response', async () => {
    const { client } = await setup();
    const stream = client.responses.stream({ model: 'fake-small', input: [{ role: 'user', content: 'hi' }] });
    const events: ResponseStreamEvent[] = [];
    let deltas = '';
    stream.on('response.output_text.delta', (event) => {
      deltas += event.delta;
    });
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expect(deltas).toBe(DEFAULT_TEXT);
    expect(final.output_text).toBe(DEFAULT_TEXT);
    expect(final.status).toBe('completed');
    expect(final.usage?.total_tokens).toBe((final.usage?.input_tokens ?? 0) + (final.usage?.output_tokens ?? 0));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.slice(0, 5).map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(events.slice(-5).map((event) => event.type)).toEqual([
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const ids = new Set(events.filter((event) => 'response' in event).map((event) => (event as { response: { id: string } }).response.id));
    expect(ids.size).toBe(1);
  });

  it('streams with stream: true iteration, and serves /responses without /v1', async () => {
    const { relay } = await setup();
    for (const client of [sdkFor(relay), sdkFor(relay, { v1: false })]) {
      const stream = await client.responses.create({ model: 'fake-small', input: 'hi', stream: true });
      let text = '';
      let completed: { status?: string; usage?: unknown } | undefined;
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') completed = event.response;
      }
      expect(text).toBe(DEFAULT_TEXT);
      expect(completed?.status).toBe('completed');
      expect(completed?.usage).toMatchObject({ input_tokens: 1, output_tokens: 5, total_tokens: 6 });
    }
  });

  it('sends SSE with event names, the SSE headers and the route headers', async () => {
    const { relay } = await setup();
    const response = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small', input: 'hi', stream: true });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-switchboard-provider']).toBe('fake');
    const frames = sseFrames(response.text);
    expect(frames.every((frame) => frame.event === frame.data.type)).toBe(true);
    expect(frames.at(-1)?.event).toBe('response.completed');
    expect(frames.filter((frame) => frame.event === 'response.completed')).toHaveLength(1);
  });

  it('round-trips a function call: call item from the upstream tool call, output back as a tool message', async () => {
    const args = '{"command":["ls","-la"]}';
    const { client, upstream } = await setup({ behavior: scenarios.toolCalls([{ id: 'call_ls', name: 'shell', arguments: args }], { toolCallChunks: 3 }) });
    const tools: Tool[] = [shellTool, { type: 'web_search' }, { type: 'local_shell' } as Tool];
    const input: ResponseInputItem[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list files' }] }];
    const stream = client.responses.stream({ model: 'fake-small', input, tools, tool_choice: 'auto', parallel_tool_calls: false });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const first = await stream.finalResponse();
    expect(argumentDeltas.join('')).toBe(args);
    // (The SDK's stream helper adds parsed_arguments; it then goes back as input and is tolerated.)
    expect(first.output).toEqual([expect.objectContaining({ id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', call_id: 'call_ls', name: 'shell', arguments: args })]);
    expect(first.output_text).toBe('');

    // Hosted tools were dropped; the function went upstream in chat-completions form.
    const sent = upstream.chatRequests()[0]?.body;
    expect(sent.tools).toEqual([{ type: 'function', function: { name: 'shell', description: 'Runs a shell command', parameters: shellTool.parameters, strict: false } }]);
    expect(sent.tool_choice).toBe('auto');
    expect(sent.parallel_tool_calls).toBe(false);

    upstream.setBehavior(scenarios.ok('Two files.'));
    const second = await client.responses.create({
      model: 'fake-small',
      tools,
      input: [...input, ...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: 'call_ls', output: 'a.txt\nb.txt' }],
    });
    expect(second.output_text).toBe('Two files.');
    expect(upstream.chatRequests()[1]?.body.messages).toEqual([
      { role: 'user', content: 'list files' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_ls', type: 'function', function: { name: 'shell', arguments: args } }] },
      { role: 'tool', tool_call_id: 'call_ls', content: 'a.txt\nb.txt' },
    ]);
  });

  it('groups consecutive function calls into one assistant message, after the text that came with them', async () => {
    const { client, upstream } = await setup();
    await client.responses.create({
      model: 'fake-small',
      input: [
        { role: 'user', content: 'weather in Paris and Oslo?' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking both.', annotations: [] }], id: 'msg_old', status: 'completed' },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_a', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'rain' }] },
      ],
    });
    expect(upstream.chatRequests()[0]?.body.messages).toEqual([
      { role: 'user', content: 'weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: 'rain' },
    ]);
  });

  it('round-trips a custom (freeform apply_patch) tool through a one-string function upstream', async () => {
    const { client, relay, upstream } = await setup({
      behavior: scenarios.toolCalls([{ id: 'call_patch', name: 'apply_patch', arguments: JSON.stringify({ input: patch }) }], { toolCallChunks: 4 }),
    });
    const tools: Tool[] = [shellTool, applyPatchTool];
    const first = await client.responses.stream({ model: 'fake-small', input: 'add hello.txt', tools }).finalResponse();
    expect(first.output).toEqual([{ id: expect.stringMatching(/^ctc_/), type: 'custom_tool_call', status: 'completed', call_id: 'call_patch', name: 'apply_patch', input: patch }]);

    const exposed = upstream.chatRequests()[0]?.body.tools[1];
    expect(exposed.type).toBe('function');
    expect(exposed.function.name).toBe('apply_patch');
    expect(exposed.function.description).toBe(applyPatchTool.description);
    expect(exposed.function.parameters).toMatchObject({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
    expect(exposed.function.parameters.properties.input.description).toContain('start: begin_patch hunk+ end_patch');

    // The raw stream names the custom-tool events Codex and the SDK know.
    const raw = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small', input: 'add hello.txt', tools, stream: true });
    const types = sseFrames(raw.text).map((frame) => frame.event);
    expect(types).toContain('response.custom_tool_call_input.done');
    expect(types).not.toContain('response.function_call_arguments.delta');

    // Non-streaming gives the same item.
    const collected = await client.responses.create({ model: 'fake-small', input: 'add hello.txt', tools });
    expect(collected.output).toEqual([expect.objectContaining({ type: 'custom_tool_call', call_id: 'call_patch', input: patch })]);

    upstream.setBehavior(scenarios.ok('Patched.'));
    await client.responses.create({
      model: 'fake-small',
      tools,
      input: [
        { role: 'user', content: 'add hello.txt' },
        ...(first.output as ResponseInputItem[]),
        { type: 'custom_tool_call_output', call_id: 'call_patch', output: 'Done!' },
      ],
    });
    expect(upstream.chatRequests().at(-1)?.body.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_patch', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: patch }) } }] },
      { role: 'tool', tool_call_id: 'call_patch', content: 'Done!' },
    ]);
  });

  it('passes reasoning through as a reasoning item before the message, streamed and collected', async () => {
    const { client, relay } = await setup({ behavior: scenarios.reasoning('Let me think about it.', 'The answer is 4.') });
    const collected = await client.responses.create({ model: 'fake-small', input: '2+2?' });
    expect(collected.output.map((item: ResponseOutputItem) => item.type)).toEqual(['reasoning', 'message']);
    expect(collected.output[0]).toMatchObject({ type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'Let me think about it.' }] });
    expect(collected.output_text).toBe('The answer is 4.');
    expect(collected.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);

    const raw = await rawPostJson(relay.port, '/responses', { model: 'fake-small', input: '2+2?', stream: true });
    const frames = sseFrames(raw.text);
    const reasoning = frames.filter((frame) => frame.event === 'response.reasoning_summary_text.delta').map((frame) => frame.data.delta).join('');
    expect(reasoning).toBe('Let me think about it.');
    const firstText = frames.findIndex((frame) => frame.event === 'response.output_text.delta');
    const lastReasoning = frames.findLastIndex((frame) => frame.event === 'response.reasoning_summary_text.delta');
    expect(lastReasoning).toBeLessThan(firstText);
  });

  it('forwards text.format, max_output_tokens, temperature, top_p, reasoning.effort and a forced tool choice', async () => {
    const { client, upstream } = await setup();
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    await client.responses.create({
      model: 'fake-small',
      input: 'json please',
      text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } },
      max_output_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      reasoning: { effort: 'low', summary: 'auto' },
      tools: [shellTool],
      tool_choice: { type: 'function', name: 'shell' },
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'conversation-1',
      metadata: { origin: 'test' },
    });
    const sent = upstream.chatRequests()[0]?.body;
    expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });
    expect(sent.max_completion_tokens).toBe(300);
    expect(sent.temperature).toBe(0.2);
    expect(sent.top_p).toBe(0.9);
    expect(sent.reasoning_effort).toBe('low');
    expect(sent.tool_choice).toEqual({ type: 'function', function: { name: 'shell' } });
    for (const field of ['store', 'include', 'prompt_cache_key', 'metadata', 'text', 'reasoning', 'input', 'instructions']) expect(sent).not.toHaveProperty(field);
  });

  it('reports a length cut-off as an incomplete response with reason max_output_tokens', async () => {
    const { client } = await setup({ behavior: scenarios.ok('cut off here', { finishReason: 'length' }) });
    const response = await client.responses.create({ model: 'fake-small', input: 'hi', max_output_tokens: 16 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text).toBe('cut off here');
  });

  it('tolerates hosted-tool and unknown input items, dropping them with their outputs', async () => {
    const { client, upstream } = await setup();
    await client.responses.create({
      model: 'fake-small',
      input: [
        { role: 'developer', content: 'You are Codex.' },
        { role: 'user', content: 'hi' },
        { type: 'local_shell_call', id: 'lsh_1', call_id: 'call_shell', status: 'completed', action: { type: 'exec', command: ['ls'], env: {} } },
        { type: 'function_call_output', call_id: 'call_shell', output: 'a.txt' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'x' } },
        { type: 'compaction', encrypted_content: 'opaque' },
        { type: 'something_new', payload: 1 },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { role: 'user', content: 'still there?' },
      ] as ResponseInputItem[],
    });
    expect(upstream.chatRequests()[0]?.body.messages).toEqual([
      { role: 'system', content: 'You are Codex.' },
      { role: 'user', content: 'hi' },
      { role: 'user', content: 'still there?' },
    ]);
  });
});

describe('OpenAI Responses errors', () => {
  it('refuses previous_response_id with a 400 that says to send the whole input', async () => {
    const { client, upstream } = await setup();
    const error = await client.responses.create({ model: 'fake-small', input: 'and then?', previous_response_id: 'resp_earlier' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(BadRequestError);
    const bad = error as BadRequestError;
    expect(bad.param).toBe('previous_response_id');
    expect(bad.code).toBe('previous_response_not_found');
    expect(bad.message).toMatch(/keeps no response state/);
    expect(bad.message).toMatch(/whole conversation in 'input'/);
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it('answers a malformed body with a 400 naming the field', async () => {
    const { relay } = await setup();
    const missing = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small' });
    expect(missing.status).toBe(400);
    expect(expectOpenAiErrorShape(missing.json)).toMatchObject({ type: 'invalid_request_error', param: 'input' });
    const badItem = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small', input: [{ role: 'user', content: 'x' }, { type: 'function_call', name: 'f', arguments: '{}' }] });
    expect(badItem.status).toBe(400);
    expect(expectOpenAiErrorShape(badItem.json).param).toBe('input[1].call_id');
  });

  it('answers 404 model_not_found for an unknown model, also when streaming was asked', async () => {
    const { client, relay } = await setup();
    const error = await client.responses.create({ model: 'no-such-model', input: 'hi' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('model_not_found');
    const raw = await rawPostJson(relay.port, '/v1/responses', { model: 'no-such-model', input: 'hi', stream: true });
    expect(raw.status).toBe(404);
    expect(raw.headers['content-type']).toMatch(/application\/json/);
    expect(expectOpenAiErrorShape(raw.json).code).toBe('model_not_found');
  });

  it('answers 429 with Retry-After when every key is rate-limited', async () => {
    const upstream = await h.upstream({ behavior: scenarios.rateLimited({ retryAfterSeconds: 7 }) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'only' }] }], { secrets: { k1: 'sk-only' } });
    const raw = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small', input: 'hi', stream: true });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers['retry-after'])).toBeGreaterThanOrEqual(6);
    expect(Number(raw.headers['retry-after'])).toBeLessThanOrEqual(7);
    expect(expectOpenAiErrorShape(raw.json).code).toBe('rate_limit_exceeded');
    const error = await sdkFor(relay)
      .responses.create({ model: 'fake-small', input: 'hi' })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(RateLimitError);
  });

  it('answers 502 upstream_auth_error, never 401, when every key is rejected', async () => {
    const upstream = await h.upstream({ requireKey: 'sk-the-right-one' });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'first' }, { id: 'k2', label: 'second' }] }], {
      secrets: { k1: 'sk-wrong-aaaa1111', k2: 'sk-wrong-bbbb2222' },
    });
    const error = await sdkFor(relay)
      .responses.create({ model: 'fake-small', input: 'hi' })
      .then(
        () => undefined,
        (thrown: unknown) => thrown as APIError,
      );
    expect(error).toBeInstanceOf(APIError);
    expect(error?.status).toBe(502);
    expect(error?.code).toBe('upstream_auth_error');
    expect(JSON.stringify(error?.error)).not.toMatch(/sk-wrong|aaaa1111|bbbb2222/);
  });

  it('ends a stream that fails after the first byte with event: error, then response.failed, never response.completed', async () => {
    const { relay, client } = await setup({ behavior: scenarios.midStreamError(2, undefined, { text: 'one two three four' }) });
    const raw = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small', input: 'hi', stream: true });
    expect(raw.status).toBe(200);
    const frames = sseFrames(raw.text);
    const events = frames.map((frame) => frame.event);
    expect(events).not.toContain('response.completed');
    expect(events.slice(-2)).toEqual(['error', 'response.failed']);
    const error = frames.at(-2)?.data;
    expect(error).toMatchObject({ type: 'error', code: expect.any(String), message: expect.stringMatching(/server had an error/), param: null });
    expect(error.error).toMatchObject({ code: error.code, message: error.message });
    expect(frames.at(-1)?.data.response).toMatchObject({ status: 'failed', error: { code: error.code, message: error.message } });
    const text = frames.filter((frame) => frame.event === 'response.output_text.delta').map((frame) => frame.data.delta).join('');
    expect(text).toBe('one two ');

    // The SDK's stream helper and plain iteration both throw.
    const helper = client.responses.stream({ model: 'fake-small', input: 'hi' });
    await expect(helper.finalResponse()).rejects.toBeInstanceOf(APIError);
    const iteration = (async () => {
      const stream = await client.responses.create({ model: 'fake-small', input: 'hi', stream: true });
      for await (const _event of stream) {
        // drain
      }
    })();
    await expect(iteration).rejects.toThrow(/server had an error/);
  });

  it('answers a non-streaming request whose upstream fails mid-answer with an error status, not a partial response', async () => {
    const { client } = await setup({ behavior: scenarios.midStreamError(2, undefined, { text: 'one two three four' }) });
    const error = await client.responses.create({ model: 'fake-small', input: 'hi' }).then(
      () => undefined,
      (thrown: unknown) => thrown as APIError,
    );
    expect(error).toBeInstanceOf(APIError);
    expect(error?.status).toBeGreaterThanOrEqual(500);
  });

  it('cancels the upstream request when the client leaves mid-stream', async () => {
    const { client, upstream } = await setup({ behavior: scenarios.slow({ interChunkMs: 100 }, { text: 'one two three four five six seven eight nine ten' }) });
    const stream = await client.responses.create({ model: 'fake-small', input: 'hi', stream: true });
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') break;
    }
    await upstream.waitForAbort(1);
    expect(upstream.aborted).toHaveLength(1);
  });

  it('ends a truncated upstream stream with an error, not response.completed', async () => {
    const { relay } = await setup({ behavior: scenarios.resetAfterChunks(2, { text: 'one two three four' }) });
    const raw = await rawPostJson(relay.port, '/v1/responses', { model: 'fake-small', input: 'hi', stream: true });
    const events = sseFrames(raw.text).map((frame) => frame.event);
    expect(events).not.toContain('response.completed');
    expect(events.slice(-2)).toEqual(['error', 'response.failed']);
  });

  it('answers retrieve, delete and cancel of stored responses with a 404 in OpenAI shape', async () => {
    const { relay } = await setup();
    const answers = [
      await rawRequest(relay.port, { method: 'GET', path: '/v1/responses/resp_123', headers: { host: `127.0.0.1:${relay.port}` } }),
      await rawRequest(relay.port, { method: 'DELETE', path: '/v1/responses/resp_123', headers: { host: `127.0.0.1:${relay.port}` } }),
      await rawPostJson(relay.port, '/responses/resp_123/cancel', {}),
    ];
    for (const response of answers) {
      expect(response.status).toBe(404);
      expect(expectOpenAiErrorShape(response.json).message).toMatch(/keeps no response state/);
    }
  });
});
