/**
 * The OpenAI chat-completions wire as upstreams send it. Read defensively: upstreams omit
 * fields, send numbers as strings or add their own (x_groq, reasoning). Only what the relay
 * reads is typed.
 */

export interface ChunkToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: string;
  content?: string | null | Array<{ type?: string; text?: string }>;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: ChunkToolCallDelta[] | null;
}

export interface UsageWire {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek's names for cached prompt tokens. */
  prompt_cache_hit_tokens?: number;
}

export interface ChatChunk {
  id?: string;
  model?: string;
  choices?: Array<{ index?: number; delta?: ChunkDelta; finish_reason?: string | null }>;
  usage?: UsageWire | null;
  x_groq?: { usage?: UsageWire };
  error?: { message?: string; type?: string; code?: string | number };
}

export interface ChatCompletionWire {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    message?: {
      content?: string | null | Array<{ type?: string; text?: string }>;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string | object } }> | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: UsageWire | null;
}

export interface ModelListWire {
  data?: Array<ModelWire>;
}

export interface ModelWire {
  id?: string;
  context_window?: number;
  context_length?: number;
  max_model_len?: number;
  max_completion_tokens?: number;
  top_provider?: { max_completion_tokens?: number; context_length?: number };
  pricing?: { prompt?: string | number; completion?: string | number; input?: number; output?: number };
  type?: string;
  active?: boolean;
}

export interface EmbeddingListWire {
  data?: Array<{ index?: number; embedding?: number[] | string }>;
  model?: string;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}
