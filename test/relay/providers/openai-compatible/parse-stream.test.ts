import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { collectResponse } from '../../../../relay/core/collect.js';
import { UpstreamError } from '../../../../relay/core/errors.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { completionToEvents, parseChatStream } from '../../../../relay/providers/openai-compatible/parse-stream.js';
import { decodeSse } from '../../../../relay/streams/sse-decoder.js';

const source = { provider: 'up', model: 'm', keyLabel: 'main' };

type Frame = object | string | { event: string; data: string };

async function* messages(frames: Frame[], failWith?: Error): AsyncGenerator<EventSourceMessage> {
  for (const frame of frames) {
    if (typeof frame === 'string') yield { data: frame, event: undefined, id: undefined };
    else if ('event' in frame && 'data' in frame && typeof frame.data === 'string') yield { data: frame.data, event: frame.event as string, id: undefined };
    else yield { data: JSON.stringify(frame), event: undefined, id: undefined };
  }
  if (failWith) throw failWith;
}

async function parse(frames: Frame[], failWith?: Error): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of parseChatStream(messages(frames, failWith), source)) events.push(event);
  return events;
}

async function* once(events: StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* events;
}

const delta = (value: object, finish: string | null = null) => ({ id: 'c1', model: 'm-up', choices: [{ index: 0, delta: value, finish_reason: finish }] });
const finish = (reason: string) => ({ id: 'c1', model: 'm-up', choices: [{ index: 0, delta: {}, finish_reason: reason }] });
const toolDelta = (call: object) => delta({ tool_calls: [call] });

function errorOf(events: StreamEvent[]): UpstreamError {
  const last = events.at(-1);
  if (last?.type !== 'error') throw new Error(`expected an error event last, got ${JSON.stringify(last)}`);
  expect(last.error).toBeInstanceOf(UpstreamError);
  return last.error as UpstreamError;
}

describe('parseChatStream', () => {
  it('turns a text stream into the canonical sequence', async () => {
    const events = await parse([
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hel' }),
      delta({ content: 'lo' }),
      finish('stop'),
      { id: 'c1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 0 } } },
      '[DONE]',
    ]);
    expect(events).toEqual([
      { type: 'message-start', id: 'c1', model: 'm-up', provider: 'up' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Hel' },
      { type: 'text-delta', index: 0, delta: 'lo' },
      { type: 'text-end', index: 0 },
      { type: 'usage', inputTokens: 3, outputTokens: 2, cachedInputTokens: 1, reasoningTokens: 0 },
      { type: 'message-end', finishReason: 'stop', rawFinishReason: 'stop' },
    ]);
  });

  it('closes reasoning before text starts, reading reasoning_content and reasoning alike', async () => {
    const events = await parse([delta({ reasoning_content: 'think ' }), delta({ reasoning: 'more' }), delta({ content: 'answer' }), finish('stop'), '[DONE]']);
    expect(events.map((event) => event.type)).toEqual([
      'message-start',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-end',
      'text-start',
      'text-delta',
      'text-end',
      'message-end',
    ]);
    const response = await collectResponse(once(events));
    expect(response.reasoning).toBe('think more');
    expect(response.text).toBe('answer');
  });

  it('reads usage from x_groq', async () => {
    const events = await parse([delta({ content: 'x' }), { ...finish('stop'), x_groq: { usage: { prompt_tokens: 7, completion_tokens: 1 } } }, '[DONE]']);
    expect(events).toContainEqual({ type: 'usage', inputTokens: 7, outputTokens: 1 });
  });

  it('streams one tool call in fragments', async () => {
    const events = await parse([
      toolDelta({ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }),
      toolDelta({ index: 0, function: { arguments: '{"city":' } }),
      toolDelta({ index: 0, function: { arguments: '"Paris"}' } }),
      finish('tool_calls'),
      '[DONE]',
    ]);
    expect(events.filter((event) => event.type.startsWith('tool-call'))).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-end', index: 0 },
    ]);
    expect(events.at(-1)).toEqual({ type: 'message-end', finishReason: 'tool-calls', rawFinishReason: 'tool_calls' });
  });

  it('renumbers parallel calls when the upstream reuses index 0 with different ids', async () => {
    const events = await parse([
      toolDelta({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }),
      toolDelta({ index: 0, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }),
      toolDelta({ index: 0, function: { arguments: '"CET"}' } }),
      finish('tool_calls'),
      '[DONE]',
    ]);
    const response = await collectResponse(once(events));
    expect(response.toolCalls).toEqual([
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_b', name: 'get_time', arguments: '{"tz":"CET"}' },
    ]);
    expect(events.filter((event) => event.type === 'tool-call-start').map((event) => (event as { index: number }).index)).toEqual([0, 1]);
  });

  it('keeps one call when every fragment repeats the same id', async () => {
    const events = await parse([
      toolDelta({ index: 0, id: 'call_a', function: { name: 'f', arguments: '{"a":' } }),
      toolDelta({ index: 0, id: 'call_a', function: { arguments: '1}' } }),
      finish('tool_calls'),
      '[DONE]',
    ]);
    expect((await collectResponse(once(events))).toolCalls).toEqual([{ id: 'call_a', name: 'f', arguments: '{"a":1}' }]);
  });

  it('splits whole calls that reuse index 0 without ids (a name after complete arguments starts a new call)', async () => {
    const events = await parse([
      toolDelta({ index: 0, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }),
      toolDelta({ index: 0, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }),
      finish('tool_calls'),
      '[DONE]',
    ]);
    const calls = (await collectResponse(once(events))).toolCalls;
    expect(calls.map((call) => [call.name, call.arguments])).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_weather', '{"city":"Oslo"}'],
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    for (const call of calls) expect(call.id).toMatch(/^call_/);
  });

  it('handles fragments without an index: a new id or a name starts a call, the rest continue the last', async () => {
    const events = await parse([
      toolDelta({ id: 'call_1', type: 'function', function: { name: 'a', arguments: '{"x":' } }),
      toolDelta({ function: { arguments: '1}' } }),
      toolDelta({ id: 'call_2', type: 'function', function: { name: 'b', arguments: '' } }),
      toolDelta({ function: { arguments: '{}' } }),
      toolDelta({ function: { name: 'c', arguments: '{"z":2}' } }),
      finish('tool_calls'),
      '[DONE]',
    ]);
    const calls = (await collectResponse(once(events))).toolCalls;
    expect(calls.map((call) => [call.name, call.arguments])).toEqual([
      ['a', '{"x":1}'],
      ['b', '{}'],
      ['c', '{"z":2}'],
    ]);
    expect(calls[0]?.id).toBe('call_1');
    expect(calls[1]?.id).toBe('call_2');
  });

  it("upgrades 'stop' to tool-calls when the turn made tool calls", async () => {
    const events = await parse([toolDelta({ index: 0, id: 'call_1', function: { name: 'f', arguments: '{}' } }), finish('stop'), '[DONE]']);
    expect(events.at(-1)).toEqual({ type: 'message-end', finishReason: 'tool-calls', rawFinishReason: 'stop' });
  });

  it('maps other finish reasons', async () => {
    for (const [raw, mapped] of [
      ['length', 'length'],
      ['content_filter', 'content-filter'],
      ['end_turn', 'stop'],
      ['something_new', 'other'],
    ] as const) {
      const events = await parse([delta({ content: 'x' }), finish(raw), '[DONE]']);
      expect(events.at(-1)).toEqual({ type: 'message-end', finishReason: mapped, rawFinishReason: raw });
    }
  });

  it('reports a stream that ends without a finish_reason as truncated, with or without [DONE]', async () => {
    for (const frames of [[delta({ content: 'partial' })], [delta({ content: 'partial' }), '[DONE]'], []] as Frame[][]) {
      const events = await parse(frames);
      expect(events[0]?.type).toBe('message-start');
      const error = errorOf(events);
      expect(error.code).toBe('upstream_stream_truncated');
      expect(error.kind).toBe('upstream-bad-response');
      expect(events.some((event) => event.type === 'message-end')).toBe(false);
    }
  });

  it('reports a connection that breaks mid-stream as an error event, never a throw', async () => {
    const events = await parse([delta({ content: 'partial' })], Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    expect(errorOf(events).kind).toBe('upstream-network');
  });

  it('rethrows aborts so the dispatcher can tell them from upstream faults', async () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    await expect(parse([delta({ content: 'partial' })], abort)).rejects.toBe(abort);
  });

  it('turns an in-band error chunk into an error event and stops', async () => {
    const events = await parse([
      delta({ content: 'partial' }),
      { error: { message: 'The server had an error', type: 'server_error', code: 'server_error' } },
      delta({ content: 'never seen' }),
    ]);
    const error = errorOf(events);
    expect(error.message).toContain('The server had an error');
    expect(error.kind).toBe('upstream-server');
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(1);
  });

  it('classifies an in-band rate-limit error (OpenRouter numeric code)', async () => {
    const events = await parse([{ error: { message: 'Rate limit exceeded', code: 429 } }]);
    expect(errorOf(events).kind).toBe('rate-limited');
  });

  it("reads an 'event: error' frame as an error", async () => {
    const events = await parse([delta({ content: 'x' }), { event: 'error', data: JSON.stringify({ error: { message: 'overloaded' } }) }]);
    expect(errorOf(events).message).toContain('overloaded');
  });

  it("treats finish_reason 'error' (OpenRouter) as an error, not a finish", async () => {
    const events = await parse([delta({ content: 'x' }), finish('error'), '[DONE]']);
    errorOf(events);
    expect(events.some((event) => event.type === 'message-end')).toBe(false);
  });

  it('turns a malformed chunk into an error event without echoing it', async () => {
    const events = await parse([delta({ content: 'x' }), '{not json <script>']);
    const error = errorOf(events);
    expect(error.code).toBe('upstream_bad_response');
    expect(error.message).not.toContain('<script>');
  });

  it('skips empty data lines', async () => {
    const events = await parse([delta({ content: 'x' }), '', '  ', finish('stop'), '[DONE]']);
    expect(events.at(-1)?.type).toBe('message-end');
  });

  it('parses real SSE bytes split anywhere, with comments and CRLF', async () => {
    const wire =
      ': OPENROUTER PROCESSING\r\n\r\n' +
      `data: ${JSON.stringify(delta({ content: 'Hé' }))}\r\n\r\n` +
      `data: ${JSON.stringify(delta({ content: 'llo' }))}\n\n` +
      `data: ${JSON.stringify(finish('stop'))}\n\ndata: [DONE]\n\n`;
    const bytes = new TextEncoder().encode(wire);
    async function* body() {
      for (let offset = 0; offset < bytes.length; offset += 7) yield bytes.slice(offset, offset + 7);
    }
    const events: StreamEvent[] = [];
    for await (const event of parseChatStream(decodeSse(body()), source)) events.push(event);
    expect((await collectResponse(once(events))).text).toBe('Héllo');
  });
});

describe('completionToEvents', () => {
  it('turns a whole JSON completion (an upstream that ignored stream: true) into events', async () => {
    const events = completionToEvents(
      {
        id: 'c9',
        model: 'm-up',
        choices: [
          {
            message: { content: null, reasoning_content: 'hmm', tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: { a: 1 } } }] },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3 },
      },
      source,
    );
    const response = await collectResponse(once(events));
    expect(response).toMatchObject({ id: 'c9', reasoning: 'hmm', finishReason: 'tool-calls', usage: { inputTokens: 5, outputTokens: 3 } });
    expect(response.toolCalls).toEqual([{ id: 'call_1', name: 'f', arguments: '{"a":1}' }]);
  });
});
