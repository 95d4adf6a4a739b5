import { RelayError } from '../../core/errors.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
import type { FrameEncoder } from '../../streams/frame-encoder.js';
import { sseData } from '../../streams/sse-encoder.js';
import { encodeStreamError } from './encode-error.js';

export function openAiFinishReason(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function usageWire(usage: Usage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

export interface StreamEncodingOptions {
  id: string;
  created: number;
  includeUsage: boolean;
  /** `chat.completion.chunk` for chat, `text_completion` for the legacy endpoint. */
  object: 'chat.completion.chunk' | 'text_completion';
}

const TRUNCATED = (): RelayError =>
  new RelayError('The upstream stream ended before the answer was complete.', { status: 502, kind: 'upstream-bad-response', code: 'upstream_stream_truncated' });

/**
 * Canonical events → OpenAI SSE frames, one event at a time and synchronously. Ends with
 * `[DONE]` only after a clean finish; a failure ends with an in-band error frame and no
 * `[DONE]`, so no client mistakes it for a whole answer. Each frame is the JSON of
 * `{ id, object, created, model, choices, usage? }`, written from pieces: the part before
 * `choices` is the same for every frame of an answer.
 */
export class OpenAiStreamEncoder implements FrameEncoder {
  private head = '';
  private usage: Usage | undefined;
  private ended = false;
  stopped = false;
  private readonly legacy: boolean;
  private readonly tail: string;

  constructor(private readonly options: StreamEncodingOptions) {
    this.legacy = options.object === 'text_completion';
    this.tail = options.includeUsage ? ',"usage":null}' : '}';
    this.setModel('');
  }

  /** The frames of one event, or '' when it has none. */
  encode(event: StreamEvent): string {
    switch (event.type) {
      case 'message-start':
        this.setModel(event.model);
        return this.legacy ? '' : this.delta({ role: 'assistant', content: '' });
      case 'text-delta':
        return this.legacy
          ? this.frame(`[{"index":0,"text":${JSON.stringify(event.delta)},"logprobs":null,"finish_reason":null}]`)
          : this.frame(`[{"index":0,"delta":{"content":${JSON.stringify(event.delta)}},"logprobs":null,"finish_reason":null}]`);
      case 'reasoning-delta':
        return this.legacy ? '' : this.delta({ reasoning_content: event.delta });
      case 'tool-call-start':
        return this.legacy ? '' : this.delta({ tool_calls: [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }] });
      case 'tool-call-delta':
        return this.legacy ? '' : this.delta({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] });
      case 'usage': {
        const { type: _type, ...rest } = event;
        this.usage = rest;
        return '';
      }
      case 'message-end': {
        const finish = openAiFinishReason(event.finishReason);
        this.ended = true;
        const frames = this.legacy
          ? this.choice({ text: '', logprobs: null, finish_reason: finish })
          : this.choice({ delta: {}, logprobs: null, finish_reason: finish });
        if (this.options.includeUsage && this.usage) return frames + sseData(`${this.head}[],"usage":${JSON.stringify(usageWire(this.usage))}}`);
        return frames;
      }
      case 'error':
        this.stopped = true;
        return sseData(encodeStreamError(event.error));
      default:
        return '';
    }
  }

  /** What follows the last event: `[DONE]`, or an error frame when the stream was cut short. */
  finish(): string {
    this.stopped = true;
    return this.ended ? sseData('[DONE]') : sseData(encodeStreamError(TRUNCATED()));
  }

  private setModel(model: string): void {
    const { id, object, created } = this.options;
    this.head = `{"id":${JSON.stringify(id)},"object":${JSON.stringify(object)},"created":${JSON.stringify(created)},"model":${JSON.stringify(model)},"choices":`;
  }

  private frame(choices: string): string {
    return sseData(this.head + choices + this.tail);
  }

  private choice(choice: Record<string, unknown>): string {
    return this.frame(`[${JSON.stringify({ index: 0, ...choice })}]`);
  }

  private delta(value: Record<string, unknown>): string {
    return this.choice({ delta: value, logprobs: null, finish_reason: null });
  }
}

/** The encoder as a stream of frames (each string may hold several frames). */
export async function* encodeStream(events: AsyncIterable<StreamEvent>, options: StreamEncodingOptions): AsyncGenerator<string> {
  const encoder = new OpenAiStreamEncoder(options);
  for await (const event of events) {
    const frames = encoder.encode(event);
    if (frames !== '') yield frames;
    if (encoder.stopped) return;
  }
  yield encoder.finish();
}
