import type { ToolCall } from './chat-request.js';
import type { FinishReason } from './finish-reason.js';
import type { Usage } from './stream-event.js';

/** A whole answer, collected from a StreamEvent sequence for non-streaming clients. */
export interface ChatResponse {
  id: string;
  /** The upstream model that answered. */
  model: string;
  provider: string;
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage?: Usage;
}
