import type { EventSourceMessage } from 'eventsource-parser';
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

  start(id: string | undefined, model: string | undefined): StreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [{ type: 'message-start', id: id || completionId(), model: model || this.source.model, provider: this.source.provider }];
  }

  chunk(chunk: ChatChunk): StreamEvent[] {
    const events = this.start(chunk.id, chunk.model);
    if (chunk.error) {
      events.push({ type: 'error', error: this.inBandError(chunk.error) });
      return events;
    }
    const choice = chunk.choices?.[0];
    if (choice?.delta) this.delta(choice.delta, events);
    if (choice?.finish_reason) {
      if (choice.finish_reason === 'error') {
        events.push({ type: 'error', error: this.inBandError({ message: 'the upstream ended the stream with an error' }) });
        return events;
      }
      this.closeBlocks(events);
      this.finish = { reason: mapFinishReason(choice.finish_reason), raw: choice.finish_reason };
    }
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (usage) this.usage = mapUsage(usage);
    return events;
  }

  /** The end of the upstream stream: a clean finish, or a truncation error. */
  end(): StreamEvent[] {
    const events = this.start(undefined, undefined);
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
      return events;
    }
    this.closeBlocks(events);
    if (this.usage) events.push({ type: 'usage', ...this.usage });
    let reason = this.finish.reason;
    // Gemini's endpoint can end a tool-call turn with "stop".
    if (reason === 'stop' && this.calls.length > 0) reason = 'tool-calls';
    events.push({ type: 'message-end', finishReason: reason, rawFinishReason: this.finish.raw });
    return events;
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

/** SSE messages → canonical events. Never throws: failures become a final `error` event. */
export async function* parseChatStream(messages: AsyncIterable<EventSourceMessage>, source: StreamSource): AsyncGenerator<StreamEvent> {
  const translator = new ChunkTranslator(source);
  try {
    for await (const message of messages) {
      const data = message.data;
      if (data === '[DONE]') break;
      if (data.trim() === '') continue;
      let chunk: ChatChunk;
      try {
        chunk = JSON.parse(data) as ChatChunk;
      } catch {
        yield* translator.start(undefined, undefined);
        yield { type: 'error', error: translator.malformed() };
        return;
      }
      if (message.event === 'error') chunk = { error: (chunk as { error?: ChatChunk['error'] }).error ?? { message: data } };
      for (const event of translator.chunk(chunk)) {
        yield event;
        if (event.type === 'error') return;
      }
    }
  } catch (error) {
    if (isAbort(error)) throw error;
    yield* translator.start(undefined, undefined);
    yield {
      type: 'error',
      error: new UpstreamError(`${source.provider}: the connection broke mid-stream.`, {
        status: 502,
        kind: 'upstream-network',
        code: 'upstream_stream_truncated',
        retryable: true,
        provider: source.provider,
        model: source.model,
        cause: error,
      }),
    };
    return;
  }
  yield* translator.end();
}

/** A whole JSON completion (an upstream that ignored `stream: true`) → canonical events. */
export function completionToEvents(completion: ChatCompletionWire, source: StreamSource): StreamEvent[] {
  const translator = new ChunkTranslator(source);
  const events = translator.start(completion.id, completion.model);
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
  events.push(
    ...translator.chunk({
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
    }),
  );
  events.push(...translator.end());
  return events;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'AbortedError' || name === 'RequestAbortedError';
}
