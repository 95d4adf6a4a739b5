import type { EventSourceMessage } from 'eventsource-parser';
import { readQueued, type ChunkHandler, type QueuedIterator } from '../../streams/queued-reader.js';
import { SseDecoder } from '../../streams/sse-decoder.js';
import { completionId, toolCallId } from '../../core/ids.js';
import { RelayError, UpstreamError } from '../../core/errors.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { ChatChunk, ChatCompletionWire, ChunkDelta, UsageWire } from './api-types.js';
import { mapFinishReason } from './map-finish-reason.js';

export interface StreamSource {
  provider: string;
  model: string;
  keyLabel?: string;
}

/**
 * The state machine from OpenAI-style chunks to canonical events. It renumbers tool calls
 * (Gemini reuses index 0 for parallel calls), upgrades a `stop` that ended a tool-call turn,
 * and turns an in-band error, a malformed chunk or a truncated stream into an `error` event.
 */
class ChunkTranslator {
  private started = false;
  private textOpen = false;
  private reasoningOpen = false;
  private textIndex = 0;
  private reasoningIndex = 0;
  private readonly calls: Array<{ upstreamIndex: number | undefined; id: string; open: boolean; args: string }> = [];
  private finish: { reason: FinishReason; raw: string } | undefined;
  private usage: Usage | undefined;

  constructor(private readonly source: StreamSource) {}

  get finished(): boolean {
    return this.finish !== undefined;
  }

  // Each method appends its events to `events`; an `error` event is always the last one.

  start(id: string | undefined, model: string | undefined, events: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    events.push({ type: 'message-start', id: id || completionId(), model: model || this.source.model, provider: this.source.provider });
  }

  chunk(chunk: ChatChunk, events: StreamEvent[]): void {
    this.start(chunk.id, chunk.model, events);
    if (chunk.error) {
      events.push({ type: 'error', error: this.inBandError(chunk.error) });
      return;
    }
    const choice = chunk.choices?.[0];
    if (choice?.delta) this.delta(choice.delta, events);
    if (choice?.finish_reason) {
      if (choice.finish_reason === 'error') {
        events.push({ type: 'error', error: this.inBandError({ message: 'the upstream ended the stream with an error' }) });
        return;
      }
      this.closeBlocks(events);
      this.finish = { reason: mapFinishReason(choice.finish_reason), raw: choice.finish_reason };
    }
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (usage) this.usage = mapUsage(usage);
  }

  /** The end of the upstream stream: a clean finish, or a truncation error. */
  end(events: StreamEvent[]): void {
    this.start(undefined, undefined, events);
    if (!this.finish) {
      events.push({
        type: 'error',
        error: new UpstreamError(`${this.source.provider} ended the stream before the answer was complete.`, {
          status: 502,
          kind: 'upstream-bad-response',
          code: 'upstream_stream_truncated',
          retryable: true,
          provider: this.source.provider,
          model: this.source.model,
          ...(this.source.keyLabel === undefined ? {} : { keyLabel: this.source.keyLabel }),
        }),
      });
      return;
    }
    this.closeBlocks(events);
    if (this.usage) events.push({ type: 'usage', ...this.usage });
    let reason = this.finish.reason;
    // Gemini's endpoint can end a tool-call turn with "stop".
    if (reason === 'stop' && this.calls.length > 0) reason = 'tool-calls';
    events.push({ type: 'message-end', finishReason: reason, rawFinishReason: this.finish.raw });
  }

  private delta(delta: ChunkDelta, events: StreamEvent[]): void {
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string' && reasoning !== '') {
      if (!this.reasoningOpen) {
        this.reasoningOpen = true;
        events.push({ type: 'reasoning-start', index: this.reasoningIndex });
      }
      events.push({ type: 'reasoning-delta', index: this.reasoningIndex, delta: reasoning });
    }
    const text = contentText(delta.content);
    if (text !== '') {
      this.closeReasoning(events);
      if (!this.textOpen) {
        this.textOpen = true;
        events.push({ type: 'text-start', index: this.textIndex });
      }
      events.push({ type: 'text-delta', index: this.textIndex, delta: text });
    }
    for (const call of delta.tool_calls ?? []) {
      const index = this.callIndex(call.index, call.id, call.function?.name);
      if (index === undefined) {
        this.closeReasoning(events);
        this.closeText(events);
        const id = call.id || toolCallId();
        const args = call.function?.arguments ?? '';
        this.calls.push({ upstreamIndex: call.index, id, open: true, args });
        events.push({ type: 'tool-call-start', index: this.calls.length - 1, id, name: call.function?.name ?? '' });
        if (args) events.push({ type: 'tool-call-delta', index: this.calls.length - 1, argumentsDelta: args });
      } else if (call.function?.arguments) {
        const open = this.calls[index];
        if (open) open.args += call.function.arguments;
        events.push({ type: 'tool-call-delta', index, argumentsDelta: call.function.arguments });
      }
    }
  }

  /** The canonical index for a fragment, or undefined when it starts a new call. */
  private callIndex(upstreamIndex: number | undefined, id: string | undefined, name: string | undefined): number | undefined {
    if (this.calls.length === 0) return undefined;
    if (upstreamIndex === undefined) {
      // No index: a fragment with a new id (or a name) starts a call, anything else continues the last one.
      const last = this.calls.length - 1;
      if ((id && id !== this.calls[last]?.id) || (!id && name)) return undefined;
      return last;
    }
    for (let index = this.calls.length - 1; index >= 0; index--) {
      const call = this.calls[index];
      if (call?.upstreamIndex !== upstreamIndex) continue;
      // The same index with a different id is a new parallel call (Gemini reuses index 0). Without
      // ids, a fragment naming a function after the call's arguments are already whole JSON is a
      // new call too; appending it would merge two calls into invalid JSON.
      if (id && id !== call.id) return undefined;
      if (!id && name && isWholeJson(call.args)) return undefined;
      return index;
    }
    return undefined;
  }

  private closeReasoning(events: StreamEvent[]): void {
    if (!this.reasoningOpen) return;
    this.reasoningOpen = false;
    events.push({ type: 'reasoning-end', index: this.reasoningIndex++ });
  }

  private closeText(events: StreamEvent[]): void {
    if (!this.textOpen) return;
    this.textOpen = false;
    events.push({ type: 'text-end', index: this.textIndex++ });
  }

  private closeBlocks(events: StreamEvent[]): void {
    this.closeReasoning(events);
    this.closeText(events);
    this.calls.forEach((call, index) => {
      if (call.open) {
        call.open = false;
        events.push({ type: 'tool-call-end', index });
      }
    });
  }

  inBandError(error: { message?: string; type?: string; code?: string | number }): RelayError {
    const code = typeof error.code === 'string' ? error.code : error.type;
    const rateLimited = error.code === 429 || /rate.?limit/i.test(`${error.type} ${error.code}`);
    return new UpstreamError(`${this.source.provider}: ${error.message ?? 'error in the stream'}`, {
      status: 502,
      kind: rateLimited ? 'rate-limited' : 'upstream-server',
      ...(code === undefined ? {} : { code }),
      retryable: true,
      provider: this.source.provider,
      model: this.source.model,
      ...(this.source.keyLabel === undefined ? {} : { keyLabel: this.source.keyLabel }),
    });
  }

  malformed(): RelayError {
    return new UpstreamError(`${this.source.provider} sent a malformed stream chunk.`, {
      status: 502,
      kind: 'upstream-bad-response',
      code: 'upstream_bad_response',
      retryable: true,
      provider: this.source.provider,
      model: this.source.model,
    });
  }
}

function isWholeJson(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function contentText(content: ChunkDelta['content']): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part.type === 'text' || part.type === undefined ? part.text ?? '' : '')).join('');
  return '';
}

function mapUsage(usage: UsageWire): Usage {
  const out: Usage = { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  if (cached !== undefined) out.cachedInputTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  return out;
}

/**
 * One stream's SSE messages → canonical events, synchronously. The answer is complete at
 * `[DONE]`, at an error (which becomes a final `error` event) or at the end of the body.
 */
class ChatStreamHandler implements ChunkHandler<EventSourceMessage, StreamEvent> {
  private readonly translator: ChunkTranslator;

  constructor(private readonly source: StreamSource) {
    this.translator = new ChunkTranslator(source);
  }

  chunk(message: EventSourceMessage, out: StreamEvent[]): boolean {
    const data = message.data;
    if (data === '[DONE]') {
      this.end(out);
      return true;
    }
    if (data.trim() === '') return false;
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(data) as ChatChunk;
    } catch {
      this.translator.start(undefined, undefined, out);
      out.push({ type: 'error', error: this.translator.malformed() });
      return true;
    }
    if (message.event === 'error') chunk = { error: (chunk as { error?: ChatChunk['error'] }).error ?? { message: data } };
    const before = out.length;
    this.translator.chunk(chunk, out);
    // An error is the last event of its chunk, and of the stream.
    return out.length > before && out[out.length - 1]?.type === 'error';
  }

  /** Several messages (one body chunk's); true when the answer is complete. */
  messages(messages: readonly EventSourceMessage[], out: StreamEvent[]): boolean {
    for (const message of messages) if (this.chunk(message, out)) return true;
    return false;
  }

  end(out: StreamEvent[]): void {
    this.translator.end(out);
  }

  fail(error: unknown, out: StreamEvent[]): void {
    if (isAbort(error)) throw error;
    this.translator.start(undefined, undefined, out);
    out.push({
      type: 'error',
      error: new UpstreamError(`${this.source.provider}: the connection broke mid-stream.`, {
        status: 502,
        kind: 'upstream-network',
        code: 'upstream_stream_truncated',
        retryable: true,
        provider: this.source.provider,
        model: this.source.model,
        cause: error,
      }),
    });
  }
}

/** SSE messages → canonical events. Never throws (but for an abort): failures become a final `error` event. */
export function parseChatStream(messages: AsyncIterable<EventSourceMessage>, source: StreamSource): QueuedIterator<StreamEvent> {
  return readQueued(messages, new ChatStreamHandler(source));
}

/**
 * An SSE body → canonical events, as `parseChatStream(decodeSse(body))` but decoding each body
 * chunk in one step: the events of a chunk are handed on from a queue.
 */
export function parseChatBody(body: AsyncIterable<Uint8Array>, source: StreamSource): QueuedIterator<StreamEvent> {
  const sse = new SseDecoder();
  const handler = new ChatStreamHandler(source);
  return readQueued(body, {
    chunk: (bytes: Uint8Array, out: StreamEvent[]) => handler.messages(sse.push(bytes), out),
    end: (out: StreamEvent[]) => {
      if (!handler.messages(sse.end(), out)) handler.end(out);
    },
    fail: (error: unknown, out: StreamEvent[]) => handler.fail(error, out),
  });
}

/** A whole JSON completion (an upstream that ignored `stream: true`) → canonical events. */
export function completionToEvents(completion: ChatCompletionWire, source: StreamSource): StreamEvent[] {
  const translator = new ChunkTranslator(source);
  const events: StreamEvent[] = [];
  translator.start(completion.id, completion.model, events);
  const choice = completion.choices?.[0];
  const message = choice?.message;
  const toolCalls = (message?.tool_calls ?? []).map((call, index) => ({
    index,
    id: call.id ?? toolCallId(),
    type: 'function',
    function: {
      name: call.function?.name ?? '',
      arguments: typeof call.function?.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {}),
    },
  }));
  translator.chunk(
    {
      choices: [
        {
          delta: {
            ...(message?.content === undefined ? {} : { content: message.content }),
            ...(message?.reasoning_content ? { reasoning_content: message.reasoning_content } : {}),
            ...(message?.reasoning ? { reasoning: message.reasoning } : {}),
            tool_calls: toolCalls,
          },
          finish_reason: choice?.finish_reason ?? 'stop',
        },
      ],
      ...(completion.usage ? { usage: completion.usage } : {}),
    },
    events,
  );
  translator.end(events);
  return events;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'AbortedError' || name === 'RequestAbortedError';
}
