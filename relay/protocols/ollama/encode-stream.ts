import { RelayError } from '../../core/errors.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
import { ndjsonLine } from '../../streams/ndjson-encoder.js';
import { streamErrorLine } from './encode-error.js';

export type OllamaChunk = Record<string, unknown>;

export interface OllamaEncodingOptions {
  /** `chat` answers carry `message`, `generate` answers `response` (and `thinking`). */
  kind: 'chat' | 'generate';
  /** The model name as the client sent it; Ollama echoes it in every object. */
  model: string;
  /** When the request arrived, on the `now` clock (milliseconds). */
  startedAt: number;
  /** A monotonic clock in milliseconds (performance.now in the relay, a fake in tests). */
  now: () => number;
  /** The `created_at` timestamp of the object being built (RFC 3339). */
  createdAt: () => string;
  /** `think: false`: reasoning is not shown. */
  hideThinking?: boolean;
}

/** Ollama's done_reason vocabulary is `stop`, `length`, `load`, `unload`; tool calls end with `stop`. */
export function ollamaDoneReason(reason: FinishReason): string {
  return reason === 'length' ? 'length' : 'stop';
}

/**
 * Tool-call arguments as Ollama sends them: an object. Empty text is `{}`. Text that is not a JSON
 * object (a model that produced broken JSON) stays the string it was, so nothing the model said
 * is lost and a client that sends it back gets it to the model unchanged.
 */
export function toolArguments(text: string): Record<string, unknown> | string {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through: kept as text
  }
  return text;
}

const nanoseconds = (ms: number) => Math.max(0, Math.round(ms * 1e6));

/** Ollama's timing and count fields, in nanoseconds, for the final object. */
export function timings(options: OllamaEncodingOptions, firstContentAt: number | undefined, endedAt: number, usage: Usage | undefined): OllamaChunk {
  const first = firstContentAt ?? endedAt;
  const evalCount = usage?.outputTokens ?? 0;
  const promptEval = nanoseconds(first - options.startedAt);
  // Clients divide eval_count by eval_duration for tokens per second: never 0 when tokens came.
  const evalDuration = Math.max(nanoseconds(endedAt - first), evalCount > 0 ? 1 : 0);
  return {
    total_duration: Math.max(nanoseconds(endedAt - options.startedAt), promptEval + evalDuration),
    load_duration: 0,
    prompt_eval_count: usage?.inputTokens ?? 0,
    prompt_eval_duration: promptEval,
    eval_count: evalCount,
    eval_duration: evalDuration,
  };
}

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Canonical events → Ollama response objects (not yet serialized): a `done:false` object per
 * text or thinking delta, one per complete tool call (its argument fragments buffered and parsed
 * into an object), then one `done:true` object with the timings. A failure, or a stream that ends
 * without `message-end`, is thrown as a RelayError and no `done:true` object is produced.
 */
export async function* ollamaChunks(events: AsyncIterable<StreamEvent>, options: OllamaEncodingOptions): AsyncGenerator<OllamaChunk> {
  const chat = options.kind === 'chat';
  let firstContentAt: number | undefined;
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  const calls = new Map<number, PendingCall>();

  const chunk = (fields: { content?: string; thinking?: string; tool_calls?: unknown[] }): OllamaChunk => {
    const head = { model: options.model, created_at: options.createdAt() };
    if (chat) {
      const message: Record<string, unknown> = { role: 'assistant', content: fields.content ?? '' };
      if (fields.thinking !== undefined) message.thinking = fields.thinking;
      if (fields.tool_calls !== undefined) message.tool_calls = fields.tool_calls;
      return { ...head, message, done: false };
    }
    return { ...head, response: fields.content ?? '', ...(fields.thinking === undefined ? {} : { thinking: fields.thinking }), done: false };
  };
  const seen = () => {
    firstContentAt ??= options.now();
  };
  const flush = (indexes: number[]): OllamaChunk | undefined => {
    const ready = indexes.sort((a, b) => a - b).flatMap((index) => {
      const call = calls.get(index);
      calls.delete(index);
      return call ? [{ id: call.id, function: { index, name: call.name, arguments: toolArguments(call.args) } }] : [];
    });
    // /api/generate has no tools; a call there has nowhere to go.
    return ready.length > 0 && chat ? chunk({ tool_calls: ready }) : undefined;
  };

  for await (const event of events) {
    switch (event.type) {
      case 'text-delta':
        seen();
        if (event.delta !== '') yield chunk({ content: event.delta });
        break;
      case 'reasoning-delta':
        seen();
        if (event.delta !== '' && !options.hideThinking) yield chunk({ thinking: event.delta });
        break;
      case 'tool-call-start':
        seen();
        calls.set(event.index, { id: event.id, name: event.name, args: '' });
        break;
      case 'tool-call-delta': {
        const call = calls.get(event.index);
        if (call) call.args += event.argumentsDelta;
        break;
      }
      case 'tool-call-end': {
        const ready = flush([event.index]);
        if (ready) yield ready;
        break;
      }
      case 'usage': {
        const { type: _type, ...rest } = event;
        usage = rest;
        break;
      }
      case 'message-end': {
        seen();
        finish = event.finishReason;
        const ready = flush([...calls.keys()]);
        if (ready) yield ready;
        break;
      }
      case 'error':
        throw event.error;
      default:
        break;
    }
  }
  if (finish === undefined) {
    throw new RelayError('upstream stream ended before completion', { status: 502, kind: 'upstream-bad-response', code: 'upstream_stream_truncated' });
  }
  // Usage may follow message-end on some upstreams, so the final object waits for the stream's end.
  const endedAt = options.now();
  const done = chunk({});
  done.done = true;
  done.done_reason = ollamaDoneReason(finish);
  yield { ...done, ...timings(options, firstContentAt, endedAt, usage) };
}

/**
 * The NDJSON body of a streamed answer. After a failure the last line is `{"error":"..."}` and
 * there is no `done:true` line, so no client takes a broken answer for a whole one.
 */
export async function* encodeNdjsonStream(events: AsyncIterable<StreamEvent>, options: OllamaEncodingOptions): AsyncGenerator<string> {
  try {
    for await (const value of ollamaChunks(events, options)) yield ndjsonLine(value);
  } catch (error) {
    yield streamErrorLine(error);
  }
}
