import type { RelayError } from './errors.js';
import type { FinishReason } from './finish-reason.js';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  /** Prompt tokens written to the upstream's prompt cache (Anthropic cache_creation_input_tokens); part of inputTokens. */
  cacheWriteInputTokens?: number;
  reasoningTokens?: number;
}

/**
 * The canonical event stream an upstream adapter yields and every protocol encodes.
 * Indexes count blocks of the same kind from 0 (text blocks, reasoning blocks, tool calls).
 */
export type StreamEvent =
  | { type: 'message-start'; id: string; model: string; provider: string }
  | { type: 'text-start'; index: number }
  | { type: 'text-delta'; index: number; delta: string }
  | { type: 'text-end'; index: number }
  /** `redactedData`: an encrypted reasoning block (Anthropic redacted_thinking) with no readable deltas. */
  | { type: 'reasoning-start'; index: number; redactedData?: string }
  | { type: 'reasoning-delta'; index: number; delta: string }
  /** `signature`: the upstream's proof of the reasoning text, to be sent back to that upstream unchanged. */
  | { type: 'reasoning-end'; index: number; signature?: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'tool-call-end'; index: number }
  | ({ type: 'usage' } & Usage)
  /** `stopSequence`: which of the request's stop sequences ended the answer, when the upstream says. */
  | { type: 'message-end'; finishReason: FinishReason; rawFinishReason?: string; stopSequence?: string }
  | { type: 'error'; error: RelayError };

export type StreamEventType = StreamEvent['type'];

/** Events that carry content a client sees: the first one is the commit point. */
export function isContentEvent(event: StreamEvent): boolean {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta':
    case 'tool-call-start':
    case 'message-end':
      return true;
    default:
      return false;
  }
}

/**
 * Optional on an event stream's iterator: hands over an event the stream already holds, without
 * a promise; undefined when the next one has to be waited for (or the stream is over, which only
 * `next()` says). A reader that drains a stream takes the events of one upstream chunk in one
 * step this way, instead of one promise per event and per stage.
 */
export interface ReadyEvents {
  takeReady(): StreamEvent | undefined;
}

/** The event an iterator already holds, if it offers `takeReady`. */
export function takeReadyEvent(iterator: AsyncIterator<StreamEvent>): StreamEvent | undefined {
  return (iterator as Partial<ReadyEvents>).takeReady?.();
}
