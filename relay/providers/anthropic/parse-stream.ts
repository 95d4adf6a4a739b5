import type { EventSourceMessage } from 'eventsource-parser';
import { UpstreamError } from '../../core/errors.js';
import { randomId } from '../../core/ids.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
import type { ContentBlockWire, MessageWire, StreamEventWire, UsageWire } from './api-types.js';
import { mapFinishReason } from './map-finish-reason.js';
import { streamError } from './parse-error.js';

export interface StreamSource {
  provider: string;
  model: string;
  keyLabel?: string;
}

interface Block {
  kind: 'text' | 'reasoning' | 'tool' | 'ignored';
  /** Tool blocks: whether any argument JSON arrived. */
  hasArguments?: boolean;
  index: number;
  signature?: string;
}

/**
 * Anthropic stream events → canonical events. Content indexes are renumbered per kind; thinking
 * keeps its signature (on reasoning-end) and redacted blocks their data; usage adds the cached
 * prompt tokens back into the input (§4.7). Server-tool blocks (web search and the like) ran at
 * Anthropic and are not the client's to execute, so they are dropped. A stream that ends without
 * message_stop, or says `error`, ends with an `error` event.
 */
export class MessageTranslator {
  private started = false;
  private readonly blocks = new Map<number, Block>();
  private readonly counters = { text: 0, reasoning: 0, tool: 0 };
  private usage: UsageWire = {};
  private stopReason: string | undefined;
  private stopSequence: string | undefined;
  private stopped = false;

  constructor(private readonly source: StreamSource) {}

  get finished(): boolean {
    return this.stopped;
  }

  event(event: StreamEventWire): StreamEvent[] {
    const out: StreamEvent[] = [];
    switch (event.type) {
      case 'message_start':
        this.start(event.message, out);
        Object.assign(this.usage, definedUsage(event.message?.usage));
        break;
      case 'content_block_start':
        this.start(undefined, out);
        this.startBlock(event.index ?? 0, event.content_block ?? {}, out);
        break;
      case 'content_block_delta':
        this.delta(event, out);
        break;
      case 'content_block_stop':
        this.stopBlock(event.index ?? 0, out);
        break;
      case 'message_delta':
        if (event.delta?.stop_reason) this.stopReason = event.delta.stop_reason;
        if (event.delta?.stop_sequence) this.stopSequence = event.delta.stop_sequence;
        // Counters here are cumulative totals: they replace, never add.
        Object.assign(this.usage, definedUsage(event.usage));
        break;
      case 'message_stop':
        this.start(undefined, out);
        for (const index of [...this.blocks.keys()]) this.stopBlock(index, out);
        out.push({ type: 'usage', ...canonicalUsage(this.usage) });
        out.push({
          type: 'message-end',
          finishReason: mapFinishReason(this.stopReason),
          ...(this.stopReason ? { rawFinishReason: this.stopReason } : {}),
          ...(this.stopSequence ? { stopSequence: this.stopSequence } : {}),
        });
        this.stopped = true;
        break;
      case 'error':
        this.start(undefined, out);
        out.push({ type: 'error', error: streamError(event.error, this.source) });
        break;
      default:
        // ping, and event types newer than this adapter
        break;
    }
    return out;
  }

  start(message: MessageWire | undefined, out: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({ type: 'message-start', id: message?.id || `msg_${randomId()}`, model: message?.model || this.source.model, provider: this.source.provider });
  }

  private startBlock(wireIndex: number, block: ContentBlockWire, out: StreamEvent[]): void {
    switch (block.type) {
      case 'text': {
        const index = this.counters.text++;
        this.blocks.set(wireIndex, { kind: 'text', index });
        out.push({ type: 'text-start', index });
        if (block.text) out.push({ type: 'text-delta', index, delta: block.text });
        break;
      }
      case 'thinking': {
        const index = this.counters.reasoning++;
        this.blocks.set(wireIndex, { kind: 'reasoning', index, ...(block.signature ? { signature: block.signature } : {}) });
        out.push({ type: 'reasoning-start', index });
        if (block.thinking) out.push({ type: 'reasoning-delta', index, delta: block.thinking });
        break;
      }
      case 'redacted_thinking': {
        const index = this.counters.reasoning++;
        out.push({ type: 'reasoning-start', index, redactedData: block.data ?? '' }, { type: 'reasoning-end', index });
        break;
      }
      case 'tool_use': {
        const index = this.counters.tool++;
        const open: Block = { kind: 'tool', index };
        this.blocks.set(wireIndex, open);
        out.push({ type: 'tool-call-start', index, id: block.id || `toolu_${randomId()}`, name: block.name ?? '' });
        // A whole input in the start block (non-incremental servers); the usual `{}` is never sent as a prefix.
        const input = block.input;
        if (input !== null && typeof input === 'object' && Object.keys(input).length > 0) {
          out.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(input) });
          open.hasArguments = true;
        }
        break;
      }
      default:
        this.blocks.set(wireIndex, { kind: 'ignored', index: -1 });
    }
  }

  private delta(event: StreamEventWire, out: StreamEvent[]): void {
    const block = this.blocks.get(event.index ?? 0);
    const delta = event.delta;
    if (!block || !delta) return;
    if (block.kind === 'text' && delta.type === 'text_delta' && delta.text) out.push({ type: 'text-delta', index: block.index, delta: delta.text });
    else if (block.kind === 'reasoning' && delta.type === 'thinking_delta' && delta.thinking) out.push({ type: 'reasoning-delta', index: block.index, delta: delta.thinking });
    else if (block.kind === 'reasoning' && delta.type === 'signature_delta' && delta.signature) block.signature = delta.signature;
    else if (block.kind === 'tool' && delta.type === 'input_json_delta' && delta.partial_json) {
      out.push({ type: 'tool-call-delta', index: block.index, argumentsDelta: delta.partial_json });
      block.hasArguments = true;
    }
  }

  private stopBlock(wireIndex: number, out: StreamEvent[]): void {
    const block = this.blocks.get(wireIndex);
    if (!block) return;
    this.blocks.delete(wireIndex);
    if (block.kind === 'text') out.push({ type: 'text-end', index: block.index });
    else if (block.kind === 'reasoning') out.push({ type: 'reasoning-end', index: block.index, ...(block.signature ? { signature: block.signature } : {}) });
    else if (block.kind === 'tool') {
      // A call without arguments streams only an empty fragment; OpenAI-side clients parse the
      // arguments as JSON, and "" is not JSON, so it becomes the empty object.
      if (!block.hasArguments) out.push({ type: 'tool-call-delta', index: block.index, argumentsDelta: '{}' });
      out.push({ type: 'tool-call-end', index: block.index });
    }
  }
}

function definedUsage(usage: UsageWire | undefined): UsageWire {
  const out: UsageWire = {};
  for (const [name, value] of Object.entries(usage ?? {})) if (typeof value === 'number') out[name as keyof UsageWire] = value;
  return out;
}

export function canonicalUsage(usage: UsageWire): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const out: Usage = { inputTokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite, outputTokens: usage.output_tokens ?? 0 };
  if (usage.cache_read_input_tokens != null) out.cachedInputTokens = cacheRead;
  if (usage.cache_creation_input_tokens != null) out.cacheWriteInputTokens = cacheWrite;
  return out;
}

function failure(source: StreamSource, message: string, kind: 'upstream-bad-response' | 'upstream-network', cause?: unknown): StreamEvent {
  return {
    type: 'error',
    error: new UpstreamError(`${source.provider}: ${message}`, {
      status: 502,
      kind,
      code: kind === 'upstream-network' ? 'upstream_stream_truncated' : 'upstream_bad_response',
      retryable: true,
      provider: source.provider,
      model: source.model,
      ...(source.keyLabel === undefined ? {} : { keyLabel: source.keyLabel }),
      ...(cause === undefined ? {} : { cause }),
    }),
  };
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'AbortedError' || name === 'RequestAbortedError';
}

/** SSE messages → canonical events. Never throws except on abort: failures become a final `error` event. */
export async function* parseMessageStream(messages: AsyncIterable<EventSourceMessage>, source: StreamSource): AsyncGenerator<StreamEvent> {
  const translator = new MessageTranslator(source);
  const pending: StreamEvent[] = [];
  try {
    for await (const message of messages) {
      if (message.data.trim() === '') continue;
      let event: StreamEventWire;
      try {
        event = JSON.parse(message.data) as StreamEventWire;
      } catch {
        translator.start(undefined, pending);
        yield* pending.splice(0);
        yield failure(source, 'sent a malformed stream event.', 'upstream-bad-response');
        return;
      }
      // The SSE event name is authoritative (the SDK dispatches on it); the data's type must agree.
      if (message.event === 'error') event = { type: 'error', error: event.error ?? { message: message.data } };
      for (const canonical of translator.event(event)) {
        yield canonical;
        if (canonical.type === 'error') return;
      }
      if (translator.finished) return;
    }
  } catch (error) {
    if (isAbort(error)) throw error;
    translator.start(undefined, pending);
    yield* pending.splice(0);
    yield failure(source, 'the connection broke mid-stream.', 'upstream-network', error);
    return;
  }
  translator.start(undefined, pending);
  yield* pending.splice(0);
  yield failure(source, 'ended the stream before the answer was complete.', 'upstream-bad-response');
}

/** A whole JSON message (a server that ignored `stream: true`) → canonical events. */
export function messageToEvents(message: MessageWire, source: StreamSource): StreamEvent[] {
  const translator = new MessageTranslator(source);
  const events = translator.event({ type: 'message_start', message: { ...message, usage: {} } });
  (message.content ?? []).forEach((block, index) => {
    events.push(...translator.event({ type: 'content_block_start', index, content_block: block }));
    events.push(...translator.event({ type: 'content_block_stop', index }));
  });
  events.push(...translator.event({ type: 'message_delta', delta: { stop_reason: message.stop_reason ?? null, stop_sequence: message.stop_sequence ?? null }, usage: message.usage ?? {} }));
  events.push(...translator.event({ type: 'message_stop' }));
  return events;
}
