import type { FinishReason } from '../../core/finish-reason.js';
import { randomId } from '../../core/ids.js';
import type { Usage } from '../../core/stream-event.js';

/**
 * The pieces of a Responses `response` object shared by the stream and the non-stream encoders:
 * output items, usage, status and the envelope that echoes the request's settings.
 */

/** Request settings the response object echoes, as the client sent them. */
export interface ResponseEcho {
  instructions: string | null;
  tools: unknown[];
  toolChoice: unknown;
  parallelToolCalls: boolean;
  temperature: number | null;
  topP: number | null;
  maxOutputTokens: number | null;
  reasoning: { effort: string | null; summary: string | null } | null;
  textFormat: unknown;
  metadata: Record<string, unknown>;
  promptCacheKey: string | null;
  user: string | null;
}

/** What the encoders need to know about the request besides the events. */
export interface ResponseContext {
  /** Names of the client's custom (freeform) tools; the upstream saw them as functions with one string `input`. */
  customTools: ReadonlySet<string>;
  echo: ResponseEcho;
}

export interface ResponseIdentity {
  /** `resp_…` */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** Makes item ids (`msg_…`, `fc_…`, `rs_…`, `ctc_…`); tests pass a counter for stable fixtures. */
  newId?: (prefix: string) => string;
}

export function responseId(): string {
  return `resp_${randomId()}`;
}

export function itemIdMaker(identity: ResponseIdentity): (prefix: string) => string {
  return identity.newId ?? ((prefix) => `${prefix}_${randomId()}`);
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Codex requires input_tokens, output_tokens and total_tokens whenever usage is present. */
export function usageWire(usage: Usage | undefined): Record<string, unknown> | null {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** `length` and `content-filter` make a response incomplete; everything else completed it. */
export function terminalStatus(reason: FinishReason): { status: 'completed' | 'incomplete'; incompleteDetails: { reason: string } | null } {
  if (reason === 'length') return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
  if (reason === 'content-filter') return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
  return { status: 'completed', incompleteDetails: null };
}

export function outputTextPart(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [] };
}

export function messageItem(id: string, text: string, status: 'in_progress' | 'completed' | 'incomplete'): Record<string, unknown> {
  return { id, type: 'message', status, role: 'assistant', content: status === 'in_progress' && text === '' ? [] : [outputTextPart(text)] };
}

export function reasoningItem(id: string, text: string | undefined): Record<string, unknown> {
  return { id, type: 'reasoning', summary: text === undefined ? [] : [{ type: 'summary_text', text }] };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed'): Record<string, unknown> {
  return { id, type: 'function_call', status, call_id: callId, name, arguments: args };
}

export function customToolCallItem(id: string, callId: string, name: string, input: string, status: 'in_progress' | 'completed'): Record<string, unknown> {
  return { id, type: 'custom_tool_call', status, call_id: callId, name, input };
}

/**
 * A custom tool's input from the function-call arguments the upstream produced: the `input`
 * string of `{"input": "..."}`, or the raw arguments when the model answered without that shape.
 */
export function customToolInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const input = (parsed as { input?: unknown }).input;
      if (typeof input === 'string') return input;
    }
  } catch {
    // Not JSON: the model wrote the freeform input directly.
  }
  return args;
}

export interface EnvelopeState {
  status: ResponseStatus;
  model: string;
  output: unknown[];
  usage: Usage | undefined;
  incompleteDetails?: { reason: string } | null;
  error?: { code: string; message: string } | null;
}

/** The whole `response` object, as `response.created`, `response.completed` and the non-stream answer carry it. */
export function responseEnvelope(identity: ResponseIdentity, context: ResponseContext, state: EnvelopeState): Record<string, unknown> {
  const echo = context.echo;
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status: state.status,
    error: state.error ?? null,
    incomplete_details: state.incompleteDetails ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    model: state.model,
    output: state.output,
    parallel_tool_calls: echo.parallelToolCalls,
    previous_response_id: null,
    reasoning: echo.reasoning ?? { effort: null, summary: null },
    // No response is kept: whatever the client asked, nothing can be retrieved later.
    store: false,
    temperature: echo.temperature,
    text: { format: echo.textFormat },
    tool_choice: echo.toolChoice,
    tools: echo.tools,
    top_p: echo.topP,
    truncation: 'disabled',
    usage: state.status === 'in_progress' ? null : usageWire(state.usage),
    user: echo.user,
    metadata: echo.metadata,
    prompt_cache_key: echo.promptCacheKey,
  };
}
