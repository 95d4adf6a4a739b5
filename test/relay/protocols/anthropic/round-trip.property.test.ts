import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, JsonObject } from '../../../../relay/core/chat-request.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { encodeStream } from '../../../../relay/protocols/anthropic/encode-stream.js';
import { decodeMessagesRequest } from '../../../../relay/protocols/anthropic/to-canonical.js';
import { convertRequest } from '../../../../relay/providers/anthropic/convert-request.js';
import { parseMessageStream } from '../../../../relay/providers/anthropic/parse-stream.js';
import { decodeSse } from '../../../../relay/streams/sse-decoder.js';

/**
 * Properties of the two Anthropic translations taken together:
 * 1. an Anthropic upstream's stream → canonical events (adapter) → Anthropic SSE (wire) keeps the
 *    text, the tool calls (ids, names, arguments), the thinking signatures and the usage;
 * 2. a canonical request → Anthropic body (adapter) → canonical request (wire) keeps the
 *    conversation: text, tool calls and tool results, in order.
 */

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,30}$/);
const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const input = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as JsonObject);
const count = fc.nat({ max: 1_000_000 });

type Block = { type: 'text'; text: string } | { type: 'thinking'; thinking: string; signature: string } | { type: 'tool_use'; id: string; name: string; input: JsonObject };

const answer = fc.record({
  thinking: fc.option(fc.record({ thinking: text, signature: id }), { nil: undefined }),
  texts: fc.array(text, { maxLength: 3 }),
  tools: fc.uniqueArray(fc.record({ id, name, input }), { maxLength: 3, selector: (tool) => tool.id }),
  usage: fc.record({ input_tokens: count, output_tokens: count, cache_read_input_tokens: count, cache_creation_input_tokens: count }),
  pieces: fc.integer({ min: 1, max: 5 }),
});

type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never;

function blocksOf(generated: Answer): Block[] {
  const blocks: Block[] = [];
  if (generated.thinking) blocks.push({ type: 'thinking', ...generated.thinking });
  for (const value of generated.texts) blocks.push({ type: 'text', text: value });
  for (const tool of generated.tools) blocks.push({ type: 'tool_use', ...tool });
  return blocks;
}

/** Splits a string into `parts` pieces (some may be empty), as an upstream's deltas would. */
function split(value: string, parts: number): string[] {
  const size = Math.ceil(value.length / parts) || 1;
  const out: string[] = [];
  for (let offset = 0; offset < value.length; offset += size) out.push(value.slice(offset, offset + size));
  return out;
}

/** The SSE an Anthropic upstream would send for these blocks. */
function upstreamSse(blocks: Block[], usage: Record<string, number>, pieces: number): string {
  const frames: object[] = [{ type: 'message_start', message: { id: 'msg_p', type: 'message', role: 'assistant', model: 'claude-p', content: [], usage: { ...usage, output_tokens: 1 } } }];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      frames.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const piece of split(block.text, pieces)) frames.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    } else if (block.type === 'thinking') {
      frames.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const piece of split(block.thinking, pieces)) frames.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
      frames.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    } else {
      frames.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of split(JSON.stringify(block.input), pieces)) frames.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    frames.push({ type: 'content_block_stop', index });
  });
  const stopReason = blocks.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
  frames.push({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage });
  frames.push({ type: 'message_stop' });
  return frames.map((frame) => `event: ${(frame as { type: string }).type}\ndata: ${JSON.stringify(frame)}\n\n`).join('');
}

async function* bytes(value: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(value);
}

/** A client's view of an SSE body: the message the SDK's MessageStream would assemble. */
function fold(sse: string): { content: Block[]; stop_reason: string; usage: Record<string, number> } {
  let message: any;
  const json = new Map<number, string>();
  for (const frame of sse.split('\n\n').filter((part) => part !== '')) {
    const [eventLine, dataLine] = frame.split('\n');
    const event = JSON.parse((dataLine ?? '').slice('data: '.length));
    expect(eventLine).toBe(`event: ${event.type}`);
    if (event.type === 'message_start') message = { ...event.message, content: [] };
    else if (event.type === 'content_block_start') {
      expect(event.index).toBe(message.content.length);
      message.content.push({ ...event.content_block });
    } else if (event.type === 'content_block_delta') {
      const block = message.content[event.index];
      if (event.delta.type === 'text_delta') block.text += event.delta.text;
      if (event.delta.type === 'thinking_delta') block.thinking += event.delta.thinking;
      if (event.delta.type === 'signature_delta') block.signature = event.delta.signature;
      if (event.delta.type === 'input_json_delta') json.set(event.index, (json.get(event.index) ?? '') + event.delta.partial_json);
    } else if (event.type === 'message_delta') {
      message.stop_reason = event.delta.stop_reason;
      message.usage = event.usage;
    } else if (event.type === 'error') throw new Error(`stream failed: ${JSON.stringify(event)}`);
  }
  for (const [index, value] of json) message.content[index].input = JSON.parse(value);
  return message;
}

describe('Anthropic round trips (property)', () => {
  it('an Anthropic upstream stream survives the adapter and the wire encoder', async () => {
    await fc.assert(
      fc.asyncProperty(answer, async (generated) => {
        const blocks = blocksOf(generated);
        const events: StreamEvent[] = [];
        for await (const event of parseMessageStream(decodeSse(bytes(upstreamSse(blocks, generated.usage, generated.pieces))), { provider: 'anthropic', model: 'claude-p' })) {
          events.push(event);
        }
        let sse = '';
        for await (const frame of encodeStream((async function* () { yield* events; })(), { messageId: 'msg_x' })) sse += frame;
        const message = fold(sse);
        expect(message.content).toEqual(blocks);
        expect(message.stop_reason).toBe(generated.tools.length > 0 ? 'tool_use' : 'end_turn');
        expect(message.usage).toEqual(generated.usage);
      }),
      { numRuns: 150 },
    );
  });

  const call = fc.record({ id, name, arguments: input.map((value) => JSON.stringify(value)) });
  const turn = fc.record({
    user: fc.array(text, { minLength: 1, maxLength: 2 }),
    assistantText: fc.array(text, { maxLength: 2 }),
    calls: fc.uniqueArray(call, { maxLength: 3, selector: (value) => value.id }),
    results: fc.array(text, { minLength: 3, maxLength: 3 }),
  });

  type Turn = typeof turn extends fc.Arbitrary<infer T> ? T : never;

  function conversation(turns: Turn[], system: string | undefined): ChatRequest {
    const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
    for (const { user, assistantText, calls, results } of turns) {
      messages.push({ role: 'user', content: user.map((value) => ({ type: 'text', text: value })) });
      if (assistantText.length === 0 && calls.length === 0) continue;
      messages.push({ role: 'assistant', content: assistantText.map((value) => ({ type: 'text', text: value })), ...(calls.length > 0 ? { toolCalls: calls } : {}) });
      calls.forEach((toolCall, index) => messages.push({ role: 'tool', toolCallId: toolCall.id, content: [{ type: 'text', text: results[index] ?? 'ok' }] }));
    }
    return { model: 'm', messages, maxOutputTokens: 100 };
  }

  /** Adjacent user messages become one Anthropic turn; compare conversations with them joined. */
  function normalized(messages: ChatMessage[]): unknown[] {
    const out: ChatMessage[] = [];
    for (const message of messages) {
      const last = out.at(-1);
      if (message.role === 'user' && last?.role === 'user') last.content = [...last.content, ...message.content];
      else out.push(structuredClone(message));
    }
    return out.map((message) =>
      message.role === 'assistant' ? { ...message, toolCalls: message.toolCalls?.map((toolCall) => ({ ...toolCall, arguments: JSON.parse(toolCall.arguments) })) } : message,
    );
  }

  it('a canonical conversation survives the adapter request and the wire decoder', () => {
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 4 }), fc.option(text, { nil: undefined }), (turns, system) => {
        const request = conversation(turns, system);
        const body = convertRequest(request, 'claude-p');
        const decoded = decodeMessagesRequest(body).request;
        expect(normalized(decoded.messages)).toEqual(normalized(request.messages));
      }),
      { numRuns: 200 },
    );
  });
});
