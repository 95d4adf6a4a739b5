/**
 * Each wire's output read the way its client reads it: the official SDK (openai, @anthropic-ai/sdk,
 * ollama) is handed the relay's bytes through an injected `fetch`, the body cut into chunks at
 * arbitrary byte offsets, and the answer is taken from what the SDK yields. Only what the SDKs do
 * not accumulate themselves (OpenAI chat deltas, Ollama NDJSON parts) is folded here, the way
 * their users do it.
 *
 * Every reader returns the same ClientAnswer, each field in the wire's own vocabulary (finish
 * reasons, token counts), so a test can compare it with what it expects that wire to say.
 */
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';

export interface ClientCall {
  /** `undefined` when the wire sent no id. */
  id: string | undefined;
  name: string;
  /** Parsed from the JSON text on wires that carry text; `{ unparsable: text }` when it is not JSON. */
  arguments: unknown;
}

export interface ClientAnswer {
  text: string;
  reasoning: string;
  calls: ClientCall[];
  /** The wire's own word: finish_reason, stop_reason, done_reason, or status[/incomplete reason]. */
  finish: string;
  /** `input` counts every prompt token (Anthropic's three counters added up); `cached` is undefined where the wire has no such field. */
  usage: { input: number; output: number; cached: number | undefined };
  /** Anthropic only: the signature of each thinking block, in order. */
  signatures?: string[];
}

const SSE = 'text/event-stream; charset=utf-8';
const NDJSON = 'application/x-ndjson';
const JSON_TYPE = 'application/json';
const BASE = 'http://relay.invalid';
const ASK = [{ role: 'user' as const, content: 'q' }];

/** `text` as UTF-8 bytes, cut at the given fractions of its length (cuts may fall inside a character). */
export function byteChunks(text: string, cuts: readonly number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].filter((point) => point > 0 && point < bytes.length).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

/** A fetch that answers any request with `body`, streamed in the given byte chunks. */
function cannedFetch(body: string, contentType: string, cuts: readonly number[]) {
  return async (_input: unknown, _init?: unknown): Promise<Response> => {
    const chunks = byteChunks(body, cuts);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': contentType } });
  };
}

export function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { unparsable: text };
  }
}

function openAiClient(body: string, contentType: string, cuts: readonly number[]): OpenAI {
  return new OpenAI({ apiKey: 'unused', baseURL: `${BASE}/v1`, maxRetries: 0, fetch: cannedFetch(body, contentType, cuts) });
}

// --- OpenAI chat completions ---------------------------------------------------------------------

type ReasoningDelta = { reasoning_content?: string | null };

/** OpenAI chat: chunks from the SDK's SSE reader, deltas accumulated by index (as ChatCompletionStream does, plus DeepSeek's reasoning_content). */
export async function readOpenAiChat(body: string, stream: boolean, cuts: readonly number[]): Promise<ClientAnswer> {
  const client = openAiClient(body, stream ? SSE : JSON_TYPE, cuts);
  if (!stream) {
    const completion = await client.chat.completions.create({ model: 'm', messages: ASK });
    const choice = completion.choices[0];
    if (!choice) throw new Error('no choice in the completion');
    const message = choice.message as typeof choice.message & ReasoningDelta;
    return {
      text: message.content ?? '',
      reasoning: message.reasoning_content ?? '',
      calls: (message.tool_calls ?? []).map((call) => {
        if (call.type !== 'function') throw new Error(`unexpected tool call type ${call.type}`);
        return { id: call.id, name: call.function.name, arguments: parseArguments(call.function.arguments) };
      }),
      finish: choice.finish_reason,
      usage: { input: completion.usage?.prompt_tokens ?? -1, output: completion.usage?.completion_tokens ?? -1, cached: completion.usage?.prompt_tokens_details?.cached_tokens },
    };
  }
  if (!body.endsWith('data: [DONE]\n\n')) throw new Error('the stream does not end with [DONE]');
  const chunks = await client.chat.completions.create({ model: 'm', messages: ASK, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let reasoning = '';
  let finish = '';
  let usage: ClientAnswer['usage'] | undefined;
  const calls: Array<{ id: string | undefined; name: string; arguments: string }> = [];
  for await (const chunk of chunks) {
    if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens, cached: chunk.usage.prompt_tokens_details?.cached_tokens };
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta as typeof choice.delta & ReasoningDelta;
    text += delta.content ?? '';
    reasoning += delta.reasoning_content ?? '';
    for (const fragment of delta.tool_calls ?? []) {
      const call = (calls[fragment.index] ??= { id: undefined, name: '', arguments: '' });
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name = fragment.function.name;
      call.arguments += fragment.function?.arguments ?? '';
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (!usage) throw new Error('no usage chunk although include_usage was asked for');
  return { text, reasoning, calls: calls.map((call) => ({ ...call, arguments: parseArguments(call.arguments) })), finish, usage };
}

// --- Anthropic messages --------------------------------------------------------------------------

/** Anthropic: the SDK's MessageStream builds the final message from the events (or `messages.create` parses the JSON). */
export async function readAnthropicMessage(body: string, stream: boolean, cuts: readonly number[]): Promise<ClientAnswer> {
  const client = new Anthropic({ apiKey: 'unused', baseURL: BASE, maxRetries: 0, fetch: cannedFetch(body, stream ? SSE : JSON_TYPE, cuts) });
  const params = { model: 'm', max_tokens: 16, messages: ASK };
  const message = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
  const answer: ClientAnswer = { text: '', reasoning: '', calls: [], finish: message.stop_reason ?? '', usage: { input: 0, output: 0, cached: undefined }, signatures: [] };
  for (const block of message.content) {
    if (block.type === 'text') answer.text += block.text;
    else if (block.type === 'thinking') {
      answer.reasoning += block.thinking;
      answer.signatures?.push(block.signature);
    } else if (block.type === 'tool_use') answer.calls.push({ id: block.id, name: block.name, arguments: block.input });
    else throw new Error(`unexpected content block ${block.type}`);
  }
  const usage = message.usage;
  answer.usage = {
    input: usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0),
    output: usage.output_tokens,
    cached: usage.cache_read_input_tokens ?? undefined,
  };
  return answer;
}

// --- Ollama chat -----------------------------------------------------------------------------------

type OllamaCall = { id?: string; function: { name: string; arguments: unknown } };

/** Ollama: the ollama package parses the NDJSON lines; parts are concatenated the way its users do. */
export async function readOllamaChat(body: string, stream: boolean, cuts: readonly number[]): Promise<ClientAnswer> {
  const client = new Ollama({ host: BASE, fetch: cannedFetch(body, stream ? NDJSON : JSON_TYPE, cuts) });
  const answer: ClientAnswer = { text: '', reasoning: '', calls: [], finish: '', usage: { input: 0, output: 0, cached: undefined } };
  const add = (part: { message: { content: string; thinking?: string; tool_calls?: unknown[] } }) => {
    answer.text += part.message.content;
    answer.reasoning += part.message.thinking ?? '';
    for (const call of (part.message.tool_calls ?? []) as OllamaCall[]) answer.calls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
  };
  const finish = (part: { done: boolean; done_reason: string; prompt_eval_count: number; eval_count: number }) => {
    answer.finish = part.done_reason;
    answer.usage = { input: part.prompt_eval_count, output: part.eval_count, cached: undefined };
  };
  if (!stream) {
    const response = await client.chat({ model: 'm', messages: ASK, stream: false });
    if (!response.done) throw new Error('a non-streamed answer that is not done');
    add(response);
    finish(response);
    return answer;
  }
  let dones = 0;
  for await (const part of await client.chat({ model: 'm', messages: ASK, stream: true })) {
    if (dones > 0) throw new Error('a part after the done part');
    add(part);
    if (part.done) {
      dones++;
      finish(part);
    }
  }
  if (dones !== 1) throw new Error(`${dones} done parts`);
  return answer;
}

// --- OpenAI Responses ------------------------------------------------------------------------------

type OutputItem = OpenAI.Responses.ResponseOutputItem;

function fromResponse(response: OpenAI.Responses.Response): ClientAnswer {
  const answer: ClientAnswer = { text: '', reasoning: '', calls: [], finish: response.status ?? '', usage: { input: -1, output: -1, cached: undefined } };
  if (response.incomplete_details?.reason) answer.finish += `/${response.incomplete_details.reason}`;
  for (const item of response.output as OutputItem[]) {
    if (item.type === 'message') {
      for (const part of item.content) answer.text += part.type === 'output_text' ? part.text : part.refusal;
    } else if (item.type === 'reasoning') answer.reasoning += item.summary.map((part) => part.text).join('');
    else if (item.type === 'function_call') answer.calls.push({ id: item.call_id, name: item.name, arguments: parseArguments(item.arguments) });
    else throw new Error(`unexpected output item ${item.type}`);
  }
  if (response.usage) answer.usage = { input: response.usage.input_tokens, output: response.usage.output_tokens, cached: response.usage.input_tokens_details.cached_tokens };
  return answer;
}

/**
 * Responses: the SDK's ResponseStream (its final response is the `response.completed` snapshot).
 * The text and argument deltas a streaming UI shows are checked against that final response too.
 */
export async function readResponses(body: string, stream: boolean, cuts: readonly number[]): Promise<ClientAnswer> {
  const client = openAiClient(body, stream ? SSE : JSON_TYPE, cuts);
  if (!stream) return fromResponse(await client.responses.create({ model: 'm', input: 'q' }));
  const events = client.responses.stream({ model: 'm', input: 'q' });
  let streamedText = '';
  const streamedArguments = new Map<number, string>();
  for await (const event of events) {
    if (event.type === 'response.output_text.delta') streamedText += event.delta;
    if (event.type === 'response.function_call_arguments.delta') streamedArguments.set(event.output_index, (streamedArguments.get(event.output_index) ?? '') + event.delta);
  }
  const response = await events.finalResponse();
  const answer = fromResponse(response);
  if (streamedText !== answer.text) throw new Error(`text deltas ${JSON.stringify(streamedText)} differ from the final text ${JSON.stringify(answer.text)}`);
  (response.output as OutputItem[]).forEach((item, index) => {
    if (item.type === 'function_call' && (streamedArguments.get(index) ?? '') !== item.arguments) {
      throw new Error(`argument deltas of output ${index} differ from the final arguments ${JSON.stringify(item.arguments)}`);
    }
  });
  return answer;
}
