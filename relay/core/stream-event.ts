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
