import type { ChatRequest } from './chat-request.js';
import type { StreamEvent } from './stream-event.js';
import type { CancelSignal } from './cancellation.js';

/**
 * The contract between inbound protocols and the dispatcher. Protocols depend on this interface
 * only, never on the dispatcher itself, so no protocol knows any provider.
 */

export type ClientWire = 'openai' | 'anthropic' | 'ollama' | 'responses';

/** The (provider, model, key) that served or was tried for a request. */
export interface RouteInfo {
  provider: string;
  /** The upstream's own model id. */
  model: string;
  /** The key's label; never the key. */
  keyLabel?: string;
}

export interface AttemptRecord extends RouteInfo {
  outcome: 'ok' | 'rate-limited' | 'auth' | 'payment' | 'request' | 'not-found' | 'server' | 'network' | 'timeout' | 'bad-response' | 'aborted';
  status?: number;
  message?: string;
  durationMs: number;
}

export interface DispatchOptions {
  signal: CancelSignal;
  clientWire: ClientWire;
  requestId: string;
  /** Keeps a conversation on one route while it is healthy (X-Session-ID, Anthropic metadata.user_id). */
  sessionId?: string;
}

/** One candidate as the routing decision saw it. */
export interface CandidateExplanation {
  /** `provider/model`. */
  route: string;
  score?: number;
  ttftP50Ms?: number;
  tokensPerSecond?: number;
  health?: string;
  /** Why the route sits where it does, or why it was skipped. */
  note?: string;
}

/** Why a request went where it went: shown in the request log and the dashboard. */
export interface RoutingDecision {
  /** How the asked id was understood: `virtual:auto-fastest`, `group:llama-3.3-70b`, `route:groq/x`. */
  target: string;
  candidates: CandidateExplanation[];
  pin?: { target: string; honoured: boolean; reason?: string };
  explored?: string;
  affinity?: boolean;
}

export interface ChatDispatchResult {
  route: RouteInfo;
  attempts: AttemptRecord[];
  /** How a pin fared, when one applied to this request. */
  pin?: RoutingDecision['pin'];
  /** Why this route (may be worked out when read). */
  readonly decision?: RoutingDecision | undefined;
  /**
   * The committed stream: its first content event was already received from the upstream, so a
   * failure from here on arrives as an `error` event, never as a thrown exception.
   */
  events: AsyncIterable<StreamEvent>;
}

export interface EmbeddingRequest {
  model: string;
  input: string[];
  dimensions?: number;
  user?: string;
}

export interface EmbeddingResult {
  model: string;
  provider: string;
  vectors: number[][];
  inputTokens: number;
}

export interface EmbeddingDispatchResult {
  route: RouteInfo;
  attempts: AttemptRecord[];
  result: EmbeddingResult;
}

/**
 * What a listed id can do, as far as the relay knows: true when some route behind the id is known
 * to, false when every route is known not to, absent when unknown.
 */
export interface ListingCapabilities {
  tools?: boolean;
  vision?: boolean;
  json?: boolean;
  reasoning?: boolean;
  embeddings?: boolean;
}

/** One servable model id, as listed to clients. */
export interface ModelListing {
  id: string;
  ownedBy: string;
  /** Seconds since the epoch. */
  created: number;
  contextWindow?: number;
  /** True for virtual ids (auto-fastest, aliases) and groups served by several routes. */
  virtual: boolean;
  capabilities?: ListingCapabilities;
}

export interface RelayService {
  chat(request: ChatRequest, options: DispatchOptions): Promise<ChatDispatchResult>;
  embed(request: EmbeddingRequest, options: DispatchOptions): Promise<EmbeddingDispatchResult>;
  listModels(): ModelListing[];
  /** One servable id, listed or not (bare upstream ids are served but not listed). */
  findModel(id: string): ModelListing | undefined;
}
