import type { FinishReason } from '../../core/finish-reason.js';

/** Anthropic's stop_reason in canonical terms (wire-protocols §4.6). */
export function mapFinishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      // pause_turn (a server tool wants the client to continue) and anything newer.
      return 'other';
  }
}
