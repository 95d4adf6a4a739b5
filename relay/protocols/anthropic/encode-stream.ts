import { RelayError } from '../../core/errors.js';
import type { FinishReason } from '../../core/finish-reason.js';
import { randomId } from '../../core/ids.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
import { sseEvent } from '../../streams/sse-encoder.js';
import { streamErrorEvent } from './encode-error.js';
import type { ContentBlockWire, DeltaWire, StreamEventWire, UsageWire } from './wire-types.js';

/** Anthropic stop reasons, with the canonical reason each one means. */
const STOP_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
};

/** wire-protocols §4.6: an Anthropic upstream's own reason passes through when it agrees. */
export function anthropicStopReason(reason: FinishReason, raw: string | undefined, stopSequence: string | undefined): string {
  if (raw !== undefined && STOP_REASONS[raw] === reason) return raw;
  if (stopSequence !== undefined && reason === 'stop') return 'stop_sequence';
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'content-filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** §4.7: Anthropic's input_tokens excludes the cached prompt tokens the canonical count includes. */
export function usageWire(usage: Usage): UsageWire {
  const cacheRead = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cacheRead - cacheWrite),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

export interface MessageEncodingOptions {
  /** The `msg_…` id to use unless the upstream's id already is one. */
  messageId?: string;
  /** The prompt's estimated size: message_start's input_tokens, and the fallback when no usage arrives. */
  estimatedInputTokens?: number;
}

type BlockKind = 'text' | 'thinking' | 'tool_use';

interface OpenBlock {
  kind: BlockKind;
  /** The canonical index (per kind) the block belongs to. */
  index: number;
  /** The Anthropic content index (all kinds together). */
  wireIndex: number;
}

/**
 * Canonical events → Anthropic stream events, as plain objects. message_start comes once and
 * first; blocks get indexes 0, 1, 2… in start order and each closes before the next opens; the
 * start of a block carries the empty `text`/`thinking`/`input` the SDK builds on. A failure ends
 * with an `error` event and never with message_delta or message_stop.
 */
export class MessageEventEncoder {
  private id = '';
  private model = '';
  private started = false;
  private ended = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private readonly toolBlocks = new Map<number, number>();
  private usage: Usage | undefined;
  private outputCharacters = 0;

  constructor(private readonly options: MessageEncodingOptions = {}) {}

  /** True once the stream has ended, cleanly or with an error. */
  get finished(): boolean {
    return this.ended;
  }

  encode(event: StreamEvent): StreamEventWire[] {
    if (this.ended) return [];
    const out: StreamEventWire[] = [];
    switch (event.type) {
      case 'message-start':
        this.id = event.id;
        this.model = event.model;
        break;
      case 'usage': {
        const { type: _type, ...usage } = event;
        this.usage = usage;
        break;
      }
      case 'text-start':
        this.ensureBlock('text', event.index, out);
        break;
      case 'text-delta':
        if (event.delta === '') break;
        this.outputCharacters += event.delta.length;
        this.delta(this.ensureBlock('text', event.index, out), { type: 'text_delta', text: event.delta }, out);
        break;
      case 'reasoning-start':
        if (event.redactedData !== undefined) {
          this.startBlock('thinking', event.index, { type: 'redacted_thinking', data: event.redactedData }, out);
          this.closeBlock(out);
        } else {
          this.ensureBlock('thinking', event.index, out);
        }
        break;
      case 'reasoning-delta':
        if (event.delta === '') break;
        this.outputCharacters += event.delta.length;
        this.delta(this.ensureBlock('thinking', event.index, out), { type: 'thinking_delta', thinking: event.delta }, out);
        break;
      case 'reasoning-end':
        if (event.signature) this.delta(this.ensureBlock('thinking', event.index, out), { type: 'signature_delta', signature: event.signature }, out);
        if (this.isOpen('thinking', event.index)) this.closeBlock(out);
        break;
      case 'tool-call-start':
        this.toolBlocks.set(event.index, this.startBlock('tool_use', event.index, { type: 'tool_use', id: event.id || `toolu_${randomId()}`, name: event.name, input: {} }, out));
        break;
      case 'tool-call-delta': {
        const wireIndex = this.toolBlocks.get(event.index);
        if (wireIndex === undefined || event.argumentsDelta === '') break;
        this.outputCharacters += event.argumentsDelta.length;
        // A late fragment of an earlier call still goes to that call's block.
        this.delta(wireIndex, { type: 'input_json_delta', partial_json: event.argumentsDelta }, out);
        break;
      }
      case 'tool-call-end':
        if (this.isOpen('tool_use', event.index)) this.closeBlock(out);
        break;
      case 'message-end':
        this.ensureStarted(out);
        this.closeBlock(out);
        out.push({
          type: 'message_delta',
          delta: { stop_reason: anthropicStopReason(event.finishReason, event.rawFinishReason, event.stopSequence), stop_sequence: event.stopSequence ?? null },
          usage: usageWire(this.finalUsage()),
        });
        out.push({ type: 'message_stop' });
        this.ended = true;
        break;
      case 'error':
        out.push(streamErrorEvent(event.error));
        this.ended = true;
        break;
      default:
        break;
    }
    return out;
  }

  /** The source ended: nothing more if the answer was complete, else an error event. */
  finish(): StreamEventWire[] {
    if (this.ended) return [];
    this.ended = true;
    return [streamErrorEvent(truncatedError())];
  }

  private finalUsage(): Usage {
    if (this.usage) return this.usage;
    // No usage from the upstream: estimates beat zeros, which would tell Claude Code its context is empty.
    return { inputTokens: this.options.estimatedInputTokens ?? 0, outputTokens: Math.ceil(this.outputCharacters / 4) };
  }

  private ensureStarted(out: StreamEventWire[]): void {
    if (this.started) return;
    this.started = true;
    const usage = this.usage ?? { inputTokens: this.options.estimatedInputTokens ?? 0, outputTokens: 0 };
    out.push({
      type: 'message_start',
      message: {
        id: this.id.startsWith('msg_') ? this.id : this.options.messageId ?? `msg_${randomId()}`,
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usageWire(usage),
      },
    });
  }

  private isOpen(kind: BlockKind, index: number): boolean {
    return this.open?.kind === kind && this.open.index === index;
  }

  /** The wire index of the open block of this kind and index, opening one when needed. */
  private ensureBlock(kind: 'text' | 'thinking', index: number, out: StreamEventWire[]): number {
    if (this.open && this.isOpen(kind, index)) return this.open.wireIndex;
    const block: ContentBlockWire = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return this.startBlock(kind, index, block, out);
  }

  private startBlock(kind: BlockKind, index: number, block: ContentBlockWire, out: StreamEventWire[]): number {
    this.ensureStarted(out);
    this.closeBlock(out);
    const wireIndex = this.nextIndex++;
    this.open = { kind, index, wireIndex };
    out.push({ type: 'content_block_start', index: wireIndex, content_block: block });
    return wireIndex;
  }

  private delta(wireIndex: number, delta: DeltaWire, out: StreamEventWire[]): void {
    out.push({ type: 'content_block_delta', index: wireIndex, delta });
  }

  private closeBlock(out: StreamEventWire[]): void {
    if (!this.open) return;
    out.push({ type: 'content_block_stop', index: this.open.wireIndex });
    this.open = undefined;
  }
}

export function truncatedError(): RelayError {
  return new RelayError('The upstream stream ended before the answer was complete.', {
    status: 502,
    kind: 'upstream-bad-response',
    code: 'upstream_stream_truncated',
  });
}

/** One SSE frame: Anthropic clients dispatch on the `event:` name, so it always repeats the type. */
export function sseFrame(event: StreamEventWire): string {
  return sseEvent(event.type, JSON.stringify(event));
}

export const PING_FRAME = sseFrame({ type: 'ping' });

/** Canonical events → Anthropic SSE frames. */
export async function* encodeStream(events: AsyncIterable<StreamEvent>, options: MessageEncodingOptions = {}): AsyncGenerator<string> {
  const encoder = new MessageEventEncoder(options);
  for await (const event of events) {
    for (const wire of encoder.encode(event)) yield sseFrame(wire);
    if (encoder.finished) return;
  }
  for (const wire of encoder.finish()) yield sseFrame(wire);
}
