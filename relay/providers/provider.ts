import type { ChatRequest } from '../core/chat-request.js';
import type { EmbeddingRequest, EmbeddingResult } from '../core/relay-service.js';
import type { StreamEvent } from '../core/stream-event.js';
import type { HttpClient } from './http-client.js';
import type { CancelSignal } from '../core/cancellation.js';

/** What the upstream can do with a model; drives candidate filtering. */
export interface ModelCapabilities {
  tools?: boolean;
  vision?: boolean;
  json?: boolean;
  embeddings?: boolean;
  reasoning?: boolean;
}

/** A model as found by live discovery (`GET /models`) or listed in the catalog. */
export interface ModelDescriptor {
  id: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities?: ModelCapabilities;
  free?: boolean;
}

/** Per-upstream request rewrites; see the provider catalog for who needs which. */
export interface RequestQuirks {
  /** Request fields this upstream rejects; dropped before sending. */
  dropFields?: string[];
  /** Drop `name` on messages (Groq answers 400 to it). */
  dropMessageName?: boolean;
  /** Send `max_tokens` instead of `max_completion_tokens`. */
  useMaxTokens?: boolean;
  /** Rewrite `seed` to this field (Mistral: `random_seed`). */
  seedField?: string;
  /** Tool-call ids must match this form; ids are rewritten reversibly (Mistral: 9 alphanumerics). */
  toolCallIdLength?: number;
  /** Strip a `models/` prefix from discovered ids (Gemini's OpenAI endpoint). */
  stripModelPrefix?: string;
  /** Cap on output tokens sent upstream when the client asks for more or nothing. */
  defaultMaxOutputTokens?: number;
  /**
   * Keep assistant `reasoning_content` inside a tool loop and drop it elsewhere (DeepSeek thinking
   * mode answers 400 when it is missing from a tool loop's history).
   */
  reasoningInToolLoop?: boolean;
}

export interface ProviderContext {
  providerId: string;
  /** The configured base URL; keys go nowhere else. */
  baseUrl: string;
  apiKey?: string;
  keyLabel?: string;
  /** Extra headers from settings (custom endpoints, attribution headers). */
  headers: Record<string, string>;
  quirks: RequestQuirks;
  signal: CancelSignal;
  http: HttpClient;
  /** Called with the response headers of every upstream answer (rate-limit bookkeeping). */
  onResponseHeaders?: (headers: Record<string, string>) => void;
}

export interface ProviderAdapter {
  readonly kind: string;
  /**
   * Streams one chat completion for `model` (the upstream's own id). Throws an UpstreamError
   * before the first event when the upstream refuses; after that, yields an `error` event.
   */
  streamChat(request: ChatRequest, model: string, context: ProviderContext): AsyncIterable<StreamEvent>;
  embed(request: EmbeddingRequest, model: string, context: ProviderContext): Promise<EmbeddingResult>;
  listModels(context: ProviderContext): Promise<ModelDescriptor[]>;
}
