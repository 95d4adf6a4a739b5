import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatRequest, JsonObject } from '../../../relay/core/chat-request.js';
import { collectResponse } from '../../../relay/core/collect.js';
import type { FinishReason } from '../../../relay/core/finish-reason.js';
import type { StreamEvent } from '../../../relay/core/stream-event.js';
import { collectMessage } from '../../../relay/protocols/anthropic/encode-response.js';
import { encodeStream as encodeAnthropicStream } from '../../../relay/protocols/anthropic/encode-stream.js';
import { decodeMessagesRequest } from '../../../relay/protocols/anthropic/to-canonical.js';
import { collectOllamaResponse } from '../../../relay/protocols/ollama/encode-response.js';
import { encodeNdjsonStream, type OllamaEncodingOptions } from '../../../relay/protocols/ollama/encode-stream.js';
import { decodeChatRequest as decodeOllamaChat } from '../../../relay/protocols/ollama/to-canonical.js';
import { encodeChatResponse } from '../../../relay/protocols/openai/encode-response.js';
import { encodeStream as encodeOpenAiStream } from '../../../relay/protocols/openai/encode-stream.js';
import { decodeChatRequest as decodeOpenAiChat } from '../../../relay/protocols/openai/to-canonical.js';
import { encodeResponse } from '../../../relay/protocols/responses/encode-response.js';
import { encodeResponseStream } from '../../../relay/protocols/responses/encode-stream.js';
import { decodeResponsesRequest } from '../../../relay/protocols/responses/to-canonical.js';
import { convertRequest as anthropicBody } from '../../../relay/providers/anthropic/convert-request.js';
import { parseMessageStream } from '../../../relay/providers/anthropic/parse-stream.js';
import { convertRequest as openAiBody } from '../../../relay/providers/openai-compatible/convert-request.js';
import { parseChatStream } from '../../../relay/providers/openai-compatible/parse-stream.js';
import { decodeSse } from '../../../relay/streams/sse-decoder.js';
import { byteChunks, parseArguments, readAnthropicMessage, readOllamaChat, readOpenAiChat, readResponses, type ClientAnswer } from '../../helpers/wire-clients.js';
import { plainContext } from './responses/helpers.js';

/**
 * Every inbound wire × every upstream adapter, both directions, as properties.
 *
 * 1. Response direction (4 wires × 2 adapters × streamed/collected): a generated answer (reasoning,
 *    text pieces, 0..3 tool calls with JSON-object arguments, usage, a finish reason) is written
 *    as the upstream's own SSE (OpenAI-compatible chunks, or Anthropic events), as bytes cut at
 *    random offsets; it goes through sse-decoder and the adapter's parse-stream, then through the
 *    wire's stream encoder or its response encoder, and is read back by the wire's official client
 *    (test/helpers/wire-clients.ts, again from bytes cut at random). The client must see the same
 *    text, reasoning, tool calls (ids, names, arguments as JSON values), token counts and finish.
 * 2. Request direction (4 wires × 2 adapters): a generated conversation (system, user text,
 *    assistant text + tool calls, tool results) is written in each wire's request format, decoded
 *    by the wire's to-canonical and converted by each adapter's convert-request (default quirks,
 *    so no Mistral-style id rewrite). The upstream body must carry the same messages, in order:
 *    text, tool call ids, names and arguments, and each tool result answering its call.
 *
 * What a wire cannot carry is compared as far as it goes; each place says so where it applies.
 * The translation bug this matrix found (an Anthropic tool call without arguments) has its own case below.
 */

const RUNS = 50;

type Wire = 'openai' | 'anthropic' | 'ollama' | 'responses';
type Adapter = 'openai-compatible' | 'anthropic';
const WIRES: readonly Wire[] = ['openai', 'anthropic', 'ollama', 'responses'];
const ADAPTERS: readonly Adapter[] = ['openai-compatible', 'anthropic'];

// --- shared generators ---------------------------------------------------------------------------

/** Any text: arbitrary code points (controls, astral planes) or grapheme clusters (emoji sequences). */
const text = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }));
/** Names from a small pool half the time, so one answer or turn often calls the same tool twice. */
const toolName = fc.oneof(fc.constantFrom('get_weather', 'search'), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,30}$/));
// `__proto__` keys are refused at the relay's front door (prototype pollution), so none reach here.
const argumentKey = fc.string({ maxLength: 10 }).filter((key) => key !== '__proto__');
/** A JSON object as JSON can carry it (no -0, no null prototypes). */
const jsonObject = (minKeys: number) =>
  fc.dictionary(argumentKey, fc.jsonValue({ maxDepth: 2 }), { minKeys, maxKeys: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as JsonObject);
const tokens = fc.nat({ max: 2_000_000 });

/** Cuts `value` into pieces of the given sizes (in code points, cycling), as an upstream's deltas would be. */
function pieces(value: string, sizes: readonly number[]): string[] {
  const points = Array.from(value);
  const out: string[] = [];
  for (let at = 0, turn = 0; at < points.length; turn++) {
    const size = sizes[turn % sizes.length] ?? 1;
    out.push(points.slice(at, at + size).join(''));
    at += size;
  }
  return out;
}

async function* replay<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function drain(frames: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const frame of frames) out += frame;
  return out;
}

// =================================================================================================
// 1. Response direction
// =================================================================================================

interface GeneratedCall {
  id: string;
  name: string;
  input: JsonObject;
}

const answerArb = (adapter: Adapter) =>
  fc.record({
    reasoning: fc.option(text, { nil: undefined }),
    signature: fc.stringMatching(/^[A-Za-z0-9+/=]{1,40}$/),
    texts: fc.array(text, { maxLength: 3 }),
    // Calls without arguments included: Anthropic streams them as no JSON at all (see the case below).
    calls: fc.uniqueArray(fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/), name: toolName, input: jsonObject(0) }), {
      maxLength: 3,
      selector: (call) => call.id,
    }),
    usage: fc.record({ input: tokens, output: tokens, cached: tokens }).map((usage) => ({ ...usage, cached: Math.min(usage.cached, usage.input) })),
    finish: fc.constantFrom<FinishReason>('stop', 'length', 'content-filter'),
    /** Delta sizes, in code points. */
    sizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
    /** Where the upstream's bytes and the relay's bytes are cut, as fractions of their length. */
    upstreamCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
    clientCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
    /**
     * How an OpenAI-compatible upstream numbers tool-call fragments: 0, 1, 2 (OpenAI), always 0
     * (Gemini's parallel calls) or not at all; whether the first fragment rides on the chunk that
     * names the call; whether usage comes with the finish chunk or in a chunk of its own.
     */
    openAiStyle: fc.record({ index: fc.constantFrom('sequential', 'zero', 'none'), argumentsInFirstChunk: fc.boolean(), usageWithFinish: fc.boolean(), reasoningField: fc.constantFrom('reasoning_content', 'reasoning') }),
    /** Whether Anthropic's message_delta repeats every counter or only output_tokens. */
    anthropicStyle: fc.record({ fullUsageInDelta: fc.boolean() }),
  });

type Answer = typeof answerArb extends (adapter: Adapter) => fc.Arbitrary<infer T> ? T : never;

/** The canonical reason the answer ends with: a `stop` after tool calls is a tool-call turn. */
function finishOf(answer: Answer): FinishReason {
  return answer.finish === 'stop' && answer.calls.length > 0 ? 'tool-calls' : answer.finish;
}

const OPENAI_FINISH: Record<FinishReason, string> = { stop: 'stop', length: 'length', 'tool-calls': 'tool_calls', 'content-filter': 'content_filter', other: 'stop' };
const ANTHROPIC_STOP: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', 'tool-calls': 'tool_use', 'content-filter': 'refusal', other: 'end_turn' };

/** The SSE an OpenAI-compatible upstream sends for this answer. */
function openAiUpstreamSse(answer: Answer): string {
  const style = answer.openAiStyle;
  const head = { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model' };
  const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra });
  const frames: object[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of pieces(answer.reasoning ?? '', answer.sizes)) frames.push(chunk({ [style.reasoningField]: piece }));
  for (const piece of pieces(answer.texts.join(''), answer.sizes)) frames.push(chunk({ content: piece }));
  answer.calls.forEach((call, position) => {
    const index = style.index === 'sequential' ? { index: position } : style.index === 'zero' ? { index: 0 } : {};
    const fragments = pieces(JSON.stringify(call.input), answer.sizes);
    const first = style.argumentsInFirstChunk ? fragments.shift() ?? '' : '';
    frames.push(chunk({ tool_calls: [{ ...index, id: call.id, type: 'function', function: { name: call.name, arguments: first } }] }));
    for (const fragment of fragments) frames.push(chunk({ tool_calls: [{ ...index, function: { arguments: fragment } }] }));
  });
  const { input, output, cached } = answer.usage;
  const usage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output, prompt_tokens_details: { cached_tokens: cached } };
  const raw = OPENAI_FINISH[finishOf(answer)];
  if (style.usageWithFinish) frames.push(chunk({}, raw, { usage }));
  else frames.push(chunk({}, raw), { ...head, choices: [], usage });
  return `${frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join('')}data: [DONE]\n\n`;
}

/** The SSE an Anthropic upstream sends for this answer: thinking, one text block per piece of text, tool_use blocks. */
function anthropicUpstreamSse(answer: Answer): string {
  const { input, output, cached } = answer.usage;
  const prompt = { input_tokens: input - cached, cache_read_input_tokens: cached, cache_creation_input_tokens: 0 };
  const frames: object[] = [
    { type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'up-model', content: [], stop_reason: null, stop_sequence: null, usage: { ...prompt, output_tokens: 1 } } },
    { type: 'ping' },
  ];
  let index = 0;
  if (answer.reasoning !== undefined) {
    frames.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const piece of pieces(answer.reasoning, answer.sizes)) frames.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
    frames.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: answer.signature } });
    frames.push({ type: 'content_block_stop', index: index++ });
  }
  for (const value of answer.texts) {
    frames.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of pieces(value, answer.sizes)) frames.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    frames.push({ type: 'content_block_stop', index: index++ });
  }
  for (const call of answer.calls) {
    frames.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
    // Anthropic opens every tool input with an empty fragment.
    for (const fragment of ['', ...pieces(JSON.stringify(call.input), answer.sizes)]) {
      frames.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
    }
    frames.push({ type: 'content_block_stop', index: index++ });
  }
  const usage = answer.anthropicStyle.fullUsageInDelta ? { ...prompt, output_tokens: output } : { output_tokens: output };
  frames.push({ type: 'message_delta', delta: { stop_reason: ANTHROPIC_STOP[finishOf(answer)], stop_sequence: null }, usage });
  frames.push({ type: 'message_stop' });
  return frames.map((frame) => `event: ${(frame as { type: string }).type}\ndata: ${JSON.stringify(frame)}\n\n`).join('');
}

/** The upstream's bytes, cut at random, through sse-decoder and the adapter's parse-stream. */
async function parseUpstream(adapter: Adapter, sse: string, cuts: readonly number[]): Promise<StreamEvent[]> {
  const messages = decodeSse(replay(byteChunks(sse, cuts)));
  const source = { provider: 'up', model: 'up-model' };
  const events: StreamEvent[] = [];
  for await (const event of adapter === 'anthropic' ? parseMessageStream(messages, source) : parseChatStream(messages, source)) events.push(event);
  return events;
}

function ollamaOptions(): OllamaEncodingOptions {
  let clock = 0;
  return { kind: 'chat', model: 'm', startedAt: 0, now: () => (clock += 5), createdAt: () => '2026-01-01T00:00:00.000Z' };
}

/** The body the wire's route would send for these events. */
async function wireBody(wire: Wire, events: readonly StreamEvent[], stream: boolean): Promise<string> {
  switch (wire) {
    case 'openai':
      return stream
        ? drain(encodeOpenAiStream(replay(events), { id: 'chatcmpl-relay', created: 1, includeUsage: true, object: 'chat.completion.chunk' }))
        : JSON.stringify(encodeChatResponse(await collectResponse(replay(events)), 'chatcmpl-relay', 1));
    case 'anthropic':
      return stream ? drain(encodeAnthropicStream(replay(events), { messageId: 'msg_relay' })) : JSON.stringify(await collectMessage(replay(events), { messageId: 'msg_relay' }));
    case 'ollama':
      return stream ? drain(encodeNdjsonStream(replay(events), ollamaOptions())) : JSON.stringify(await collectOllamaResponse(replay(events), ollamaOptions()));
    case 'responses': {
      const identity = { id: 'resp_relay', createdAt: 1 };
      return stream
        ? drain(encodeResponseStream(replay(events), { ...identity, context: plainContext() }))
        : JSON.stringify(encodeResponse(await collectResponse(replay(events)), identity, plainContext()));
    }
  }
}

const READERS: Record<Wire, (body: string, stream: boolean, cuts: readonly number[]) => Promise<ClientAnswer>> = {
  openai: readOpenAiChat,
  anthropic: readAnthropicMessage,
  ollama: readOllamaChat,
  responses: readResponses,
};

/** What the wire's client must see, in that wire's vocabulary. */
function expectedAnswer(wire: Wire, adapter: Adapter, answer: Answer): ClientAnswer {
  const finish = finishOf(answer);
  const { input, output, cached } = answer.usage;
  const expected: ClientAnswer = {
    text: answer.texts.join(''),
    reasoning: answer.reasoning ?? '',
    // Every wire carries call ids in this direction (the relay's Ollama encoder sends `id` too).
    calls: answer.calls.map((call: GeneratedCall) => ({ id: call.id, name: call.name, arguments: call.input })),
    finish: '',
    usage: { input, output, cached },
  };
  switch (wire) {
    case 'openai':
      expected.finish = OPENAI_FINISH[finish];
      break;
    case 'anthropic':
      expected.finish = ANTHROPIC_STOP[finish];
      // Only an Anthropic upstream signs its thinking; other reasoning arrives with an empty signature.
      expected.signatures = answer.reasoning === undefined ? [] : [adapter === 'anthropic' ? answer.signature : ''];
      break;
    case 'ollama':
      // Ollama's done_reason knows only stop and length (a refusal or a tool-call turn ends with stop),
      // and it has no cached-token counter.
      expected.finish = finish === 'length' ? 'length' : 'stop';
      expected.usage = { input, output, cached: undefined };
      break;
    case 'responses':
      expected.finish = finish === 'length' ? 'incomplete/max_output_tokens' : finish === 'content-filter' ? 'incomplete/content_filter' : 'completed';
      break;
  }
  return expected;
}

function upstreamSse(adapter: Adapter, answer: Answer): string {
  return adapter === 'anthropic' ? anthropicUpstreamSse(answer) : openAiUpstreamSse(answer);
}

describe('wire × adapter matrix: an upstream answer reaches every client intact (property)', () => {
  for (const adapter of ADAPTERS) {
    for (const wire of WIRES) {
      for (const stream of [true, false]) {
        it(`${adapter} upstream → ${wire} client, ${stream ? 'streamed' : 'not streamed'}`, async () => {
          await fc.assert(
            fc.asyncProperty(answerArb(adapter), async (answer) => {
              const events = await parseUpstream(adapter, upstreamSse(adapter, answer), answer.upstreamCuts);
              const body = await wireBody(wire, events, stream);
              expect(await READERS[wire](body, stream, answer.clientCuts)).toEqual(expectedAnswer(wire, adapter, answer));
            }),
            { numRuns: RUNS },
          );
        });
      }
    }
  }

  /**
   * Anthropic streams a tool call that has no arguments as `content_block_start {input: {}}` and
   * one empty `input_json_delta`, never `{}`. The adapter turns that into "{}", which OpenAI-side
   * clients (JSON.parse, Codex) can parse; "" would break them.
   */
  it('an Anthropic tool call without arguments reaches OpenAI chat and Responses clients as "{}"', async () => {
    const sse = [
      { type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'up-model', content: [], usage: { input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ]
      .map((frame) => `event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`)
      .join('');
    const events = await parseUpstream('anthropic', sse, []);
    for (const wire of ['openai', 'responses'] as const) {
      for (const stream of [true, false]) {
        const seen = await READERS[wire](await wireBody(wire, events, stream), stream, []);
        expect(seen.calls, `${wire}, ${stream ? 'streamed' : 'not streamed'}`).toEqual([{ id: 'toolu_1', name: 'now', arguments: {} }]);
      }
    }
  });
});

// =================================================================================================
// 2. Request direction
// =================================================================================================

interface Call {
  id: string;
  name: string;
  args: JsonObject;
}

interface Reply {
  text: string;
  calls: Call[];
  results: string[];
}

interface Turn {
  user: string;
  /** Into how many content parts the user text is cut, on wires that have parts. */
  userParts: number;
  reply: Reply | undefined;
}

/**
 * A tool call id as upstreams make them (`call_…`, `toolu_…`, Kimi's `functions.name:0`), made
 * unique across the conversation by a `_<n>` suffix; Anthropic's rewrite of `.` and `:` keeps
 * the suffix, so the ids stay unique there too.
 */
const idBase = fc.oneof(fc.stringMatching(/^(call|toolu)_[A-Za-z0-9]{1,20}$/), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/));
const replyArb = fc
  .record({
    text: fc.oneof(fc.constant(''), text),
    calls: fc.array(fc.record({ id: idBase, name: toolName, args: jsonObject(0) }), { maxLength: 3 }),
    results: fc.array(text, { minLength: 3, maxLength: 3 }),
  })
  .filter((reply) => reply.text !== '' || reply.calls.length > 0);
const turnArb = (reply: fc.Arbitrary<Reply | undefined>) => fc.record({ user: text, userParts: fc.integer({ min: 1, max: 2 }), reply });

const conversationArb = fc
  .record({
    system: fc.option(text, { nil: undefined }),
    // Every turn but the last is answered, so two user messages never meet (wires merge those differently).
    turns: fc
      .tuple(fc.array(turnArb(replyArb), { maxLength: 3 }), turnArb(fc.option(replyArb, { nil: undefined })))
      .map(([answered, last]) => [...answered, last]),
    style: fc.record({
      /** OpenAI: `developer` instead of `system`; `content: null` beside tool calls; content as part arrays. */
      developer: fc.boolean(),
      nullContent: fc.boolean(),
      parts: fc.boolean(),
      /** Anthropic: system and tool results as blocks; plain-string content where it may be. */
      blocks: fc.boolean(),
      plain: fc.boolean(),
      /** Ollama: the client keeps the call ids (`id`, `tool_call_id`) or names results by `tool_name` only. */
      keepIds: fc.boolean(),
      /** Responses: system as `instructions` or as a message item; typed items and part arrays or shorthand. */
      instructions: fc.boolean(),
      typed: fc.boolean(),
    }),
  })
  .map((conversation) => {
    let serial = 0;
    const turns: Turn[] = conversation.turns.map((turn) => ({
      ...turn,
      reply: turn.reply && { ...turn.reply, calls: turn.reply.calls.map((call) => ({ ...call, id: `${call.id}_${serial++}` })) },
    }));
    return { ...conversation, turns };
  });

type Conversation = typeof conversationArb extends fc.Arbitrary<infer T> ? T : never;

/** `value` cut into `count` non-empty parts (fewer when it is too short). */
function parts(value: string, count: number): string[] {
  const points = Array.from(value);
  if (count < 2 || points.length < 2) return [value];
  const middle = Math.ceil(points.length / 2);
  return [points.slice(0, middle).join(''), points.slice(middle).join('')];
}

function openAiRequest(conversation: Conversation): unknown {
  const { style } = conversation;
  const content = (value: string, count = 1) => (style.parts ? parts(value, count).map((part) => ({ type: 'text', text: part })) : value);
  const messages: unknown[] = [];
  if (conversation.system !== undefined) messages.push({ role: style.developer ? 'developer' : 'system', content: conversation.system });
  for (const turn of conversation.turns) {
    messages.push({ role: 'user', content: content(turn.user, turn.userParts) });
    const reply = turn.reply;
    if (!reply) continue;
    const calls = reply.calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }));
    messages.push({ role: 'assistant', content: reply.text === '' && style.nullContent ? null : reply.text, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
    reply.calls.forEach((call, index) => messages.push({ role: 'tool', tool_call_id: call.id, content: content(reply.results[index] ?? '') }));
  }
  return { model: 'm', messages };
}

function anthropicRequest(conversation: Conversation): unknown {
  const { style } = conversation;
  const messages: unknown[] = [];
  let results: unknown[] = [];
  for (const turn of conversation.turns) {
    // Tool results open the next user turn, ahead of its text (Anthropic's rule).
    const blocks = [...results, ...parts(turn.user, turn.userParts).map((part) => ({ type: 'text', text: part }))];
    messages.push({ role: 'user', content: results.length === 0 && style.plain ? turn.user : blocks });
    results = [];
    const reply = turn.reply;
    if (!reply) continue;
    const content = [
      ...(reply.text === '' ? [] : [{ type: 'text', text: reply.text }]),
      ...reply.calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.args })),
    ];
    messages.push({ role: 'assistant', content: reply.calls.length === 0 && style.plain ? reply.text : content });
    results = reply.calls.map((call, index) => {
      const output = reply.results[index] ?? '';
      return { type: 'tool_result', tool_use_id: call.id, content: style.blocks ? [{ type: 'text', text: output }] : output };
    });
  }
  if (results.length > 0) messages.push({ role: 'user', content: results });
  const system = conversation.system === undefined ? {} : { system: style.blocks ? [{ type: 'text', text: conversation.system }] : conversation.system };
  return { model: 'm', max_tokens: 100, ...system, messages };
}

function ollamaRequest(conversation: Conversation): unknown {
  const { keepIds } = conversation.style;
  const messages: unknown[] = [];
  if (conversation.system !== undefined) messages.push({ role: 'system', content: conversation.system });
  for (const turn of conversation.turns) {
    messages.push({ role: 'user', content: turn.user });
    const reply = turn.reply;
    if (!reply) continue;
    const calls = reply.calls.map((call) => ({ ...(keepIds ? { id: call.id } : {}), function: { name: call.name, arguments: call.args } }));
    messages.push({ role: 'assistant', content: reply.text, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
    reply.calls.forEach((call, index) => messages.push({ role: 'tool', content: reply.results[index] ?? '', ...(keepIds ? { tool_call_id: call.id } : { tool_name: call.name }) }));
  }
  return { model: 'm', messages, stream: false };
}

function responsesRequest(conversation: Conversation): unknown {
  const { style } = conversation;
  const input: unknown[] = [];
  if (conversation.system !== undefined && !style.instructions) input.push({ type: 'message', role: style.developer ? 'developer' : 'system', content: conversation.system });
  for (const turn of conversation.turns) {
    input.push(
      style.typed
        ? { type: 'message', role: 'user', content: parts(turn.user, turn.userParts).map((part) => ({ type: 'input_text', text: part })) }
        : { role: 'user', content: turn.user },
    );
    const reply = turn.reply;
    if (!reply) continue;
    if (reply.text !== '') input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply.text, annotations: [] }] });
    for (const call of reply.calls) input.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: JSON.stringify(call.args) });
    reply.calls.forEach((call, index) => {
      const output = reply.results[index] ?? '';
      input.push({ type: 'function_call_output', call_id: call.id, output: style.typed ? [{ type: 'input_text', text: output }] : output });
    });
  }
  return { model: 'm', ...(conversation.system !== undefined && style.instructions ? { instructions: conversation.system } : {}), input };
}

function decode(wire: Wire, conversation: Conversation): ChatRequest {
  switch (wire) {
    case 'openai':
      return decodeOpenAiChat(openAiRequest(conversation)).request;
    case 'anthropic':
      return decodeMessagesRequest(anthropicRequest(conversation)).request;
    case 'ollama': {
      const request = decodeOllamaChat(ollamaRequest(conversation)).request;
      if (!request) throw new Error('the Ollama request decoded to a load-only call');
      return request;
    }
    case 'responses':
      return decodeResponsesRequest(responsesRequest(conversation)).request;
  }
}

/** A conversation reduced to what every wire and upstream can say, in order. */
type Item =
  | { role: 'system'; text: string }
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; calls: Array<{ id: string; name: string; args: unknown }> }
  | { role: 'tool'; id: string; text: string };

/** Anthropic accepts tool ids of [A-Za-z0-9_-] only; the adapter writes every other character as `_`, on calls and results alike. */
const anthropicId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');

function expectedItems(conversation: Conversation, mapId: (id: string) => string): Item[] {
  const items: Item[] = conversation.system === undefined ? [] : [{ role: 'system', text: conversation.system }];
  for (const turn of conversation.turns) {
    items.push({ role: 'user', text: turn.user });
    const reply = turn.reply;
    if (!reply) continue;
    items.push({ role: 'assistant', text: reply.text, calls: reply.calls.map((call) => ({ id: mapId(call.id), name: call.name, args: call.args })) });
    reply.calls.forEach((call, index) => items.push({ role: 'tool', id: mapId(call.id), text: reply.results[index] ?? '' }));
  }
  return items;
}

type Loose = Record<string, any>;

const joinText = (content: unknown): string =>
  typeof content === 'string' ? content : ((content ?? []) as Loose[]).map((part) => (part.type === 'text' ? String(part.text) : `[${String(part.type)}]`)).join('');

/** An OpenAI chat-completions body's messages as items. */
function openAiItems(body: Loose): Item[] {
  return (body.messages as Loose[]).map((message): Item => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, text: joinText(message.content) };
      case 'assistant':
        return {
          role: 'assistant',
          text: message.content ?? '',
          calls: ((message.tool_calls ?? []) as Loose[]).map((call) => ({ id: call.id, name: call.function.name, args: parseArguments(call.function.arguments) })),
        };
      case 'tool':
        return { role: 'tool', id: message.tool_call_id, text: joinText(message.content) };
      default:
        throw new Error(`unexpected role ${String(message.role)}`);
    }
  });
}

/** An Anthropic Messages body as items: a user turn is its tool results, then its text. */
function anthropicItems(body: Loose): Item[] {
  const items: Item[] = [];
  if (body.system !== undefined) {
    const system = typeof body.system === 'string' ? body.system : (body.system as Loose[]).map((block) => block.text).join('\n\n');
    items.push({ role: 'system', text: system });
  }
  for (const message of body.messages as Loose[]) {
    const blocks = message.content as Loose[];
    if (message.role === 'assistant') {
      items.push({
        role: 'assistant',
        text: joinText(blocks.filter((block) => block.type === 'text')),
        calls: blocks.filter((block) => block.type === 'tool_use').map((block) => ({ id: block.id, name: block.name, args: block.input })),
      });
      continue;
    }
    for (const block of blocks.filter((candidate) => candidate.type === 'tool_result')) items.push({ role: 'tool', id: block.tool_use_id, text: joinText(block.content) });
    const said = blocks.filter((block) => block.type !== 'tool_result');
    if (said.length > 0) items.push({ role: 'user', text: joinText(said) });
  }
  return items;
}

/** Ids replaced by their order of first appearance: what is left of pairing when a wire carries no ids. */
function pairing(items: Item[]): Item[] {
  const names = new Map<string, string>();
  const name = (id: string) => {
    if (!names.has(id)) names.set(id, `#${names.size}`);
    return names.get(id) as string;
  };
  return items.map((item) => {
    if (item.role === 'assistant') return { ...item, calls: item.calls.map((call) => ({ ...call, id: name(call.id) })) };
    if (item.role === 'tool') return { ...item, id: name(item.id) };
    return item;
  });
}

/** Shape rules of the upstream body beyond its items: Anthropic turns alternate, each tool_use is answered first thing in the next turn. */
function checkShape(adapter: Adapter, body: Loose): void {
  if (adapter === 'openai-compatible') {
    const messages = body.messages as Loose[];
    messages.forEach((message, index) => {
      const ids = ((message.tool_calls ?? []) as Loose[]).map((call) => call.id);
      if (ids.length === 0) return;
      expect(messages.slice(index + 1, index + 1 + ids.length).map((next) => (next.role === 'tool' ? next.tool_call_id : undefined))).toEqual(ids);
    });
    return;
  }
  const messages = body.messages as Loose[];
  expect(messages[0]?.role).toBe('user');
  messages.forEach((message, index) => {
    if (index > 0) expect(message.role).not.toBe(messages[index - 1]?.role);
    const blocks = message.content as Loose[];
    expect(Array.isArray(blocks)).toBe(true);
    for (const block of blocks) if (block.type === 'text') expect(block.text).not.toBe('');
    const uses = blocks.filter((block) => block.type === 'tool_use').map((block) => block.id as string);
    for (const id of uses) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    if (uses.length === 0) return;
    const next = (messages[index + 1]?.content ?? []) as Loose[];
    expect(next.slice(0, uses.length).map((block) => (block.type === 'tool_result' ? block.tool_use_id : undefined))).toEqual(uses);
  });
}

describe('wire × adapter matrix: a client conversation reaches every upstream intact (property)', () => {
  for (const wire of WIRES) {
    for (const adapter of ADAPTERS) {
      it(`${wire} request → ${adapter} upstream body`, () => {
        fc.assert(
          fc.property(conversationArb, (conversation) => {
            const request = decode(wire, conversation);
            // As sent: JSON text, so anything JSON cannot carry would show.
            const body = JSON.parse(JSON.stringify(adapter === 'anthropic' ? anthropicBody(request, 'up-model') : openAiBody(request, 'up-model', {}))) as Loose;
            expect(body.model).toBe('up-model');
            checkShape(adapter, body);
            const items = adapter === 'anthropic' ? anthropicItems(body) : openAiItems(body);
            const expected = expectedItems(conversation, adapter === 'anthropic' ? anthropicId : (id) => id);
            // An Ollama client that names results by tool_name sends no ids: the relay makes them up,
            // so only the pairing of each result with its call can be compared.
            if (wire === 'ollama' && !conversation.style.keepIds) expect(pairing(items)).toEqual(pairing(expected));
            else expect(items).toEqual(expected);
          }),
          { numRuns: RUNS },
        );
      });
    }
  }
});
