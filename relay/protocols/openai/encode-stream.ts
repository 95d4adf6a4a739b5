import { RelayError } from '../../core/errors.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
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

/**
 * Canonical events → OpenAI SSE frames. Ends with `[DONE]` only after a clean finish; a failure
 * ends with an in-band error frame and no `[DONE]`, so no client mistakes it for a whole answer.
 */
export async function* encodeStream(events: AsyncIterable<StreamEvent>, options: StreamEncodingOptions): AsyncGenerator<string> {
  let model = '';
  let usage: Usage | undefined;
  let ended = false;
  const legacy = options.object === 'text_completion';
  const frame = (choice: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) =>
    sseData(
      JSON.stringify({
        id: options.id,
        object: options.object,
        created: options.created,
        model,
        choices: choice ? [{ index: 0, ...choice }] : [],
        ...(options.includeUsage ? { usage: null } : {}),
        ...extra,
      }),
    );
  const delta = (value: Record<string, unknown>) =>
    legacy ? frame({ text: value.content ?? '', logprobs: null, finish_reason: null }) : frame({ delta: value, logprobs: null, finish_reason: null });

  for await (const event of events) {
    switch (event.type) {
      case 'message-start':
        model = event.model;
        if (!legacy) yield delta({ role: 'assistant', content: '' });
        break;
      case 'text-delta':
        yield delta({ content: event.delta });
        break;
      case 'reasoning-delta':
        if (!legacy) yield delta({ reasoning_content: event.delta });
        break;
      case 'tool-call-start':
        if (!legacy) yield delta({ tool_calls: [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }] });
        break;
      case 'tool-call-delta':
        if (!legacy) yield delta({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] });
        break;
      case 'usage': {
        const { type: _type, ...rest } = event;
        usage = rest;
        break;
      }
      case 'message-end': {
        const finish = openAiFinishReason(event.finishReason);
        yield legacy ? frame({ text: '', logprobs: null, finish_reason: finish }) : frame({ delta: {}, logprobs: null, finish_reason: finish });
        if (options.includeUsage && usage) yield frame(undefined, { usage: usageWire(usage) });
        ended = true;
        break;
      }
      case 'error':
        yield sseData(encodeStreamError(event.error));
        return;
      default:
        break;
    }
  }
  if (!ended) {
    yield sseData(
      encodeStreamError(new RelayError('The upstream stream ended before the answer was complete.', { status: 502, kind: 'upstream-bad-response', code: 'upstream_stream_truncated' })),
    );
    return;
  }
  yield sseData('[DONE]');
}
