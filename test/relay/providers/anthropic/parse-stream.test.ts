import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../relay/core/errors.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { messageToEvents, parseMessageStream } from '../../../../relay/providers/anthropic/parse-stream.js';
import { decodeSse } from '../../../../relay/streams/sse-decoder.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/providers/anthropic');
const source = { provider: 'anthropic', model: 'claude-test', keyLabel: 'main' };

/** Feeds a recorded stream in small, uneven chunks, as a socket would. */
async function* bytes(text: string, size = 37): AsyncGenerator<Uint8Array> {
  const all = new TextEncoder().encode(text);
  for (let offset = 0; offset < all.length; offset += size) yield all.subarray(offset, offset + size);
}

async function parse(name: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of parseMessageStream(decodeSse(bytes(readFileSync(join(fixtures, name), 'utf8'))), source)) events.push(event);
  return events;
}

describe('parsing Anthropic streams', () => {
  it('turns thinking, text and a tool call into canonical events with the signature and cached usage', async () => {
    expect(await parse('thinking-text-tool.sse')).toEqual([
      { type: 'message-start', id: 'msg_01ABC', model: 'claude-sonnet-4-5-20250929', provider: 'anthropic' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Let me' },
      { type: 'reasoning-delta', index: 0, delta: ' look.' },
      { type: 'reasoning-end', index: 0, signature: 'EqQBCgIYAhIM' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Hello' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city": "Par' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'is"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'usage', inputTokens: 1225, outputTokens: 89, cachedInputTokens: 1200, cacheWriteInputTokens: 0 },
      { type: 'message-end', finishReason: 'tool-calls', rawFinishReason: 'tool_use' },
    ]);
  });

  it('drops server-tool blocks and citation deltas, keeping the text', async () => {
    expect(await parse('server-tool-citations.sse')).toEqual([
      { type: 'message-start', id: 'msg_02', model: 'claude-opus-4-5', provider: 'anthropic' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Sunny.' },
      { type: 'text-end', index: 0 },
      { type: 'usage', inputTokens: 40, outputTokens: 30 },
      { type: 'message-end', finishReason: 'stop', rawFinishReason: 'end_turn' },
    ]);
  });

  it('turns an in-band overloaded error into an error event that remembers the 529', async () => {
    const events = await parse('overloaded-mid-stream.sse');
    expect(events.map((event) => event.type)).toEqual(['message-start', 'text-start', 'text-delta', 'error']);
    const error = (events.at(-1) as Extract<StreamEvent, { type: 'error' }>).error as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: 'upstream-server', upstreamStatus: 529, code: 'overloaded_error', retryable: true, keyLabel: 'main' });
  });

  it('ends a stream without message_stop with an error, never a finish', async () => {
    const events = await parse('truncated.sse');
    expect(events.map((event) => event.type)).toEqual(['message-start', 'text-start', 'text-delta', 'error']);
    expect((events.at(-1) as Extract<StreamEvent, { type: 'error' }>).error.kind).toBe('upstream-bad-response');
  });

  it('reports a malformed event as an error', async () => {
    const events: StreamEvent[] = [];
    for await (const event of parseMessageStream(decodeSse(bytes('event: message_start\ndata: {nope\n\n')), source)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['message-start', 'error']);
  });

  it('reads a whole JSON message from a server that ignored stream: true', () => {
    const events = messageToEvents(
      {
        id: 'msg_9',
        model: 'claude-x',
        content: [
          { type: 'redacted_thinking', data: 'abc' },
          { type: 'text', text: 'Hi' },
          { type: 'tool_use', id: 'toolu_9', name: 'f', input: { a: 1 } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 3, output_tokens: 4 },
      },
      source,
    );
    expect(events).toEqual([
      { type: 'message-start', id: 'msg_9', model: 'claude-x', provider: 'anthropic' },
      { type: 'reasoning-start', index: 0, redactedData: 'abc' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Hi' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-start', index: 0, id: 'toolu_9', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'usage', inputTokens: 3, outputTokens: 4 },
      { type: 'message-end', finishReason: 'tool-calls', rawFinishReason: 'tool_use' },
    ]);
  });
});
