import type { ToolCall } from './chat-request.js';
import type { ChatResponse } from './chat-response.js';
import { RelayError } from './errors.js';
import { takeReadyEvent, type StreamEvent } from './stream-event.js';

/**
 * Aggregates a canonical event stream into one response. An `error` event is thrown as is; a
 * stream that ends without `message-end` is an error too, never a silently truncated answer.
 */
export async function collectResponse(events: AsyncIterable<StreamEvent>): Promise<ChatResponse> {
  const response: ChatResponse = {
    id: '',
    model: '',
    provider: '',
    text: '',
    reasoning: '',
    toolCalls: [],
    finishReason: 'other',
  };
  const calls = new Map<number, ToolCall>();
  let ended = false;
  const take = (event: StreamEvent): void => {
    switch (event.type) {
      case 'message-start':
        response.id = event.id;
        response.model = event.model;
        response.provider = event.provider;
        break;
      case 'text-delta':
        response.text += event.delta;
        break;
      case 'reasoning-delta':
        response.reasoning += event.delta;
        break;
      case 'tool-call-start':
        calls.set(event.index, { id: event.id, name: event.name, arguments: '' });
        break;
      case 'tool-call-delta': {
        const call = calls.get(event.index);
        if (call) call.arguments += event.argumentsDelta;
        break;
      }
      case 'usage': {
        const { type: _type, ...usage } = event;
        response.usage = usage;
        break;
      }
      case 'message-end':
        response.finishReason = event.finishReason;
        if (event.rawFinishReason !== undefined) response.rawFinishReason = event.rawFinishReason;
        ended = true;
        break;
      case 'error':
        throw event.error;
      default:
        break;
    }
  };
  const iterator = events[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      // The events the stream already holds are taken without a promise each (see ReadyEvents).
      for (let event = takeReadyEvent(iterator); event !== undefined; event = takeReadyEvent(iterator)) take(event);
      const step = await iterator.next();
      if (step.done) {
        exhausted = true;
        break;
      }
      take(step.value);
    }
  } finally {
    // As `for await` does when its body throws: release the stream.
    if (!exhausted) await iterator.return?.()?.catch(() => undefined);
  }
  if (!ended) {
    throw new RelayError('The upstream stream ended before the answer was complete.', {
      status: 502,
      kind: 'upstream-bad-response',
      code: 'upstream_stream_truncated',
    });
  }
  response.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  return response;
}
