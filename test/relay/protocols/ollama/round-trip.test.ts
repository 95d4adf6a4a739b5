import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssistantMessage } from '../../../../relay/core/chat-request.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { collectOllamaResponse } from '../../../../relay/protocols/ollama/encode-response.js';
import { encodeNdjsonStream, type OllamaEncodingOptions } from '../../../../relay/protocols/ollama/encode-stream.js';
import { toCanonicalMessages } from '../../../../relay/protocols/ollama/to-canonical.js';

/**
 * Ollama wire → canonical → Ollama wire: an assistant turn as an Ollama client sends it back
 * (text, tool calls with object arguments) is decoded to canonical, replayed as the event stream
 * an upstream would produce (text and arguments cut at arbitrary points, usage), and encoded
 * again, streamed and not. Text, call names, arguments and token counts must come out unchanged.
 */

const text = fc.string({ unit: 'binary', maxLength: 60 });
const toolName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,30}$/);
// The relay refuses request bodies with a `__proto__` key (prototype pollution), so none reach here.
const argumentsObject = fc.dictionary(
  fc.string({ maxLength: 12 }).filter((key) => key !== '__proto__'),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 5 },
);
const turn = fc.record({
  content: text,
  calls: fc.array(fc.record({ name: toolName, arguments: argumentsObject }), { maxLength: 4 }),
  usage: fc.record({ inputTokens: fc.nat({ max: 1_000_000 }), outputTokens: fc.nat({ max: 1_000_000 }) }),
  /** Cut points, as fractions of each piece's length. */
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
});

function cut(value: string, fractions: readonly number[]): string[] {
  const points = [...new Set(fractions.map((fraction) => Math.floor(fraction * value.length)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let start = 0;
  for (const point of [...points, value.length]) {
    if (point > start) pieces.push(value.slice(start, point));
    start = Math.max(start, point);
  }
  return pieces;
}

function eventsFor(message: AssistantMessage, usage: { inputTokens: number; outputTokens: number }, cuts: readonly number[]): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'message-start', id: 'chatcmpl-x', model: 'up', provider: 'fake' }];
  const content = message.content.map((part) => part.text).join('');
  for (const delta of cut(content, cuts)) events.push({ type: 'text-delta', index: 0, delta });
  (message.toolCalls ?? []).forEach((call, index) => {
    events.push({ type: 'tool-call-start', index, id: call.id, name: call.name });
    for (const argumentsDelta of cut(call.arguments, cuts)) events.push({ type: 'tool-call-delta', index, argumentsDelta });
    events.push({ type: 'tool-call-end', index });
  });
  events.push({ type: 'usage', ...usage });
  events.push({ type: 'message-end', finishReason: (message.toolCalls ?? []).length > 0 ? 'tool-calls' : 'stop' });
  return events;
}

async function* replay(events: StreamEvent[]): AsyncGenerator<StreamEvent> {
  for (const event of events) yield event;
}

function options(): OllamaEncodingOptions {
  let clock = 0;
  return { kind: 'chat', model: 'm', startedAt: 0, now: () => (clock += 5), createdAt: () => '2026-01-01T00:00:00.000Z' };
}

/** What JSON can carry (-0 becomes 0): the fair expectation for arguments. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('Ollama wire → canonical → Ollama wire', () => {
  it('keeps text, tool call names and arguments, and usage, streamed and collected', async () => {
    await fc.assert(
      fc.asyncProperty(turn, async ({ content, calls, usage, cuts }) => {
        const wire = { role: 'assistant', content, tool_calls: calls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })) };
        const [canonical] = toCanonicalMessages([{ role: 'user', content: 'q' }, wire]).slice(1);
        expect(canonical?.role).toBe('assistant');
        const events = eventsFor(canonical as AssistantMessage, usage, cuts);
        const expectedCalls = calls.map((call, index) => ({ name: call.name, index, arguments: viaJson(call.arguments) }));

        // Streamed: NDJSON text, parsed line by line as a client does.
        let ndjson = '';
        for await (const line of encodeNdjsonStream(replay(events), options())) ndjson += line;
        const objects = ndjson
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as { message: { content: string; tool_calls?: Array<{ function: { name: string; index: number; arguments: unknown } }> }; done: boolean; prompt_eval_count?: number; eval_count?: number });
        expect(objects.map((object) => object.message.content).join('')).toBe(content);
        expect(objects.flatMap((object) => object.message.tool_calls ?? []).map((call) => call.function)).toEqual(expectedCalls);
        const done = objects.at(-1);
        expect(done).toMatchObject({ done: true, prompt_eval_count: usage.inputTokens, eval_count: usage.outputTokens });
        expect(objects.filter((object) => object.done)).toHaveLength(1);

        // Collected: one object with the whole message.
        const whole = (await collectOllamaResponse(replay(events), options())) as { message: { content: string; tool_calls?: Array<{ function: unknown }> } };
        expect(whole.message.content).toBe(content);
        expect((whole.message.tool_calls ?? []).map((call) => call.function)).toEqual(expectedCalls);
        expect(whole).toMatchObject({ prompt_eval_count: usage.inputTokens, eval_count: usage.outputTokens });
      }),
      { numRuns: 200 },
    );
  });

  it('matches tool results to calls by tool_name in order, whatever the names', () => {
    fc.assert(
      fc.property(fc.array(toolName, { minLength: 1, maxLength: 6 }), (names) => {
        const messages = toCanonicalMessages([
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '', tool_calls: names.map((name) => ({ function: { name, arguments: {} } })) },
          ...names.map((name) => ({ role: 'tool', content: `result of ${name}`, tool_name: name })),
        ]);
        const assistant = messages[1] as AssistantMessage;
        const results = messages.slice(2).map((message) => (message.role === 'tool' ? message.toolCallId : ''));
        // Each call is answered exactly once, and each answer goes to a call of its own name.
        expect(new Set(results).size).toBe(names.length);
        results.forEach((id, index) => expect(assistant.toolCalls?.find((call) => call.id === id)?.name).toBe(names[index]));
      }),
    );
  });
});
