import type { FinishReason } from '../../core/finish-reason.js';

export function mapFinishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'stop':
    case 'end_turn':
    case 'stop_sequence':
    case 'eos':
      return 'stop';
    case 'length':
    case 'max_tokens':
    case 'model_length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
    case 'tool_use':
      return 'tool-calls';
    case 'content_filter':
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
