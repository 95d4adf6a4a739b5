import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssistantMessage } from '../../../../relay/core/chat-request.js';
import { collectResponse } from '../../../../relay/core/collect.js';
import type { StreamEvent, Usage } from '../../../../relay/core/stream-event.js';
import { encodeResponse } from '../../../../relay/protocols/responses/encode-response.js';
import { encodeResponseStream } from '../../../../relay/protocols/responses/encode-stream.js';
import { decodeResponsesRequest } from '../../../../relay/protocols/responses/to-canonical.js';
import { collectText, counterIds, fromArray, sseFrames } from './helpers.js';

/**
 * Property: what a Responses client sent as an assistant turn (text, function calls, freeform
 * custom tool calls) survives Responses input → canonical → Responses output, streamed and not,
 * with usage; and the output items, sent back as input (Codex's loop), decode to the same turn.
 */

const CUSTOM = 'apply_patch';

interface Call {
  callId: string;
  custom: boolean;
  name: string;
  /** Function arguments (any text), or the custom tool's freeform input. */
  payload: string;
}

const text = fc.string({ unit: 'binary', maxLength: 60 });
const callArb = fc.record({
  callId: fc.stringMatching(/^call_[A-Za-z0-9_-]{1,24}$/),
  custom: fc.boolean(),
  name: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).filter((name) => name !== CUSTOM),
  payload: fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.json()),
});
const turnArb = fc.record({
  text,
  calls: fc.uniqueArray(callArb, { selector: (call) => call.callId, maxLength: 4 }),
  usage: fc.record({
    inputTokens: fc.nat({ max: 1_000_000 }),
    outputTokens: fc.nat({ max: 1_000_000 }),
    cachedInputTokens: fc.nat({ max: 1000 }),
    reasoningTokens: fc.nat({ max: 1000 }),
  }),
  /** Where deltas are cut: any positive piece sizes. */
  cuts: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
});

function inputItems(turn: { text: string; calls: Call[] }): unknown[] {
  const items: unknown[] = [{ role: 'user', content: 'go' }];
  items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: turn.text, annotations: [] }] });
  for (const call of turn.calls) {
    items.push(
      call.custom
        ? { type: 'custom_tool_call', call_id: call.callId, name: CUSTOM, input: call.payload }
        : { type: 'function_call', call_id: call.callId, name: call.name, arguments: call.payload },
    );
  }
  return items;
}

const tools = [
  { type: 'custom', name: CUSTOM, format: { type: 'text' } },
  { type: 'function', name: 'anything', parameters: { type: 'object' } },
];

function decodeTurn(input: unknown[]) {
  const decoded = decodeResponsesRequest({ model: 'm', input, tools });
  const assistant = decoded.request.messages.at(-1) as AssistantMessage;
  expect(assistant.role).toBe('assistant');
  return { decoded, assistant };
}

function pieces(value: string, cuts: number[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (let index = 0; at < value.length; index++) {
    const size = cuts[index % cuts.length] ?? 1;
    out.push(value.slice(at, at + size));
    at += size;
  }
  return out;
}

/** What an upstream answering with exactly this assistant message would stream. */
function eventsFor(assistant: AssistantMessage, usage: Usage, cuts: number[]): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'message-start', id: 'chatcmpl-x', model: 'm', provider: 'p' }];
  const said = assistant.content.map((part) => part.text).join('');
  if (said !== '') {
    events.push({ type: 'text-start', index: 0 });
    for (const delta of pieces(said, cuts)) events.push({ type: 'text-delta', index: 0, delta });
    events.push({ type: 'text-end', index: 0 });
  }
  (assistant.toolCalls ?? []).forEach((call, index) => {
    events.push({ type: 'tool-call-start', index, id: call.id, name: call.name });
    for (const argumentsDelta of pieces(call.arguments, cuts)) events.push({ type: 'tool-call-delta', index, argumentsDelta });
  });
  (assistant.toolCalls ?? []).forEach((_call, index) => events.push({ type: 'tool-call-end', index }));
  events.push({ type: 'usage', ...usage });
  events.push({ type: 'message-end', finishReason: assistant.toolCalls?.length ? 'tool-calls' : 'stop' });
  return events;
}

/** The parts of output items a client acts on (ids and statuses aside). */
function essence(items: Array<Record<string, any>>): unknown[] {
  return items.map((item) => {
    switch (item.type) {
      case 'message':
        return { type: 'message', text: item.content.map((part: { text: string }) => part.text).join('') };
      case 'function_call':
        return { type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments };
      case 'custom_tool_call':
        return { type: 'custom_tool_call', call_id: item.call_id, name: item.name, input: item.input };
      default:
        return item;
    }
  });
}

function expected(turn: { text: string; calls: Call[] }): unknown[] {
  return [
    ...(turn.text === '' ? [] : [{ type: 'message', text: turn.text }]),
    ...turn.calls.map((call) =>
      call.custom
        ? { type: 'custom_tool_call', call_id: call.callId, name: CUSTOM, input: call.payload }
        : { type: 'function_call', call_id: call.callId, name: call.name, arguments: call.payload },
    ),
  ];
}

describe('Responses wire round trip (property)', () => {
  it('keeps text, tool calls and usage from input through canonical to output, and back', async () => {
    await fc.assert(
      fc.asyncProperty(turnArb, async (turn) => {
        const { decoded, assistant } = decodeTurn(inputItems(turn));
        const events = eventsFor(assistant, turn.usage, turn.cuts);
        const identity = { id: 'resp_p', createdAt: 1, newId: counterIds() };

        // Streamed: the items output_item.done carried, and the response.completed snapshot.
        const frames = sseFrames(await collectText(encodeResponseStream(fromArray(events), { ...identity, context: decoded.context })));
        const done = frames.filter((frame) => frame.event === 'response.output_item.done').map((frame) => frame.data.item);
        const completed = frames.at(-1);
        expect(completed?.event).toBe('response.completed');
        expect(essence(done)).toEqual(expected(turn));
        expect(completed?.data.response.output).toEqual(done);
        const streamedText = frames.filter((frame) => frame.event === 'response.output_text.delta').map((frame) => frame.data.delta).join('');
        expect(streamedText).toBe(turn.text);

        // Collected: the same items and usage.
        const whole = encodeResponse(await collectResponse(fromArray(events)), { ...identity, newId: counterIds() }, decoded.context);
        expect(essence(whole.output as Array<Record<string, any>>)).toEqual(expected(turn));
        const usage = {
          input_tokens: turn.usage.inputTokens,
          input_tokens_details: { cached_tokens: turn.usage.cachedInputTokens },
          output_tokens: turn.usage.outputTokens,
          output_tokens_details: { reasoning_tokens: turn.usage.reasoningTokens },
          total_tokens: turn.usage.inputTokens + turn.usage.outputTokens,
        };
        expect(whole.usage).toEqual(usage);
        expect(completed?.data.response.usage).toEqual(usage);

        // Codex's loop: the output items go back as input and mean the same assistant turn.
        if (done.length > 0) expect(decodeTurn([{ role: 'user', content: 'go' }, ...done]).assistant).toEqual(assistant);
      }),
      { numRuns: 200 },
    );
  });
});
