/**
 * The one canonical chat request every inbound protocol decodes to and every
 * upstream adapter encodes from. Pure data: no I/O, no framework types.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Wire details the canonical request cannot express, kept for an upstream of the same family and
 * keyed by that family (`anthropic`: cache_control markers, signed thinking blocks, betas). The
 * protocol that writes a family's keys and the adapter that reads them document them; adapters of
 * other families ignore them, so nothing here may change the meaning of the canonical fields.
 */
export type ProviderOptions = { [family: string]: JsonObject | undefined };

export type TextPart = { type: 'text'; text: string; providerOptions?: ProviderOptions };
/** `url` is either an https URL or a `data:<media type>;base64,...` URL. */
export type ImagePart = { type: 'image'; url: string; detail?: 'auto' | 'low' | 'high'; providerOptions?: ProviderOptions };
export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON text the model produced (OpenAI convention). */
  arguments: string;
}

export type SystemMessage = { role: 'system'; content: string };
export type UserMessage = { role: 'user'; content: ContentPart[]; name?: string };
export type AssistantMessage = {
  role: 'assistant';
  content: TextPart[];
  toolCalls?: ToolCall[];
  /** Reasoning text an upstream produced earlier; some upstreams need it back inside tool loops. */
  reasoning?: string;
  name?: string;
  providerOptions?: ProviderOptions;
};
export type ToolMessage = { role: 'tool'; toolCallId: string; content: ContentPart[]; isError?: boolean; providerOptions?: ProviderOptions };

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
export type ChatRole = ChatMessage['role'];

export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: JsonObject;
  strict?: boolean;
  providerOptions?: ProviderOptions;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean; description?: string };

export interface ChatRequest {
  /** The model id exactly as the client asked for it (a virtual id, a group or `provider/model`). */
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: ResponseFormat;
  reasoningEffort?: string;
  /** End-user id for abuse tracking upstream (OpenAI `user`). */
  user?: string;
  /**
   * Request fields the canonical model does not name (logprobs, logit_bias, n, ...), kept so an
   * OpenAI-compatible upstream can receive them; adapters drop what their upstream rejects.
   */
  extraBody?: JsonObject;
  providerOptions?: ProviderOptions;
}

/** What the request needs from a route; used to filter candidates. */
export interface RequestNeeds {
  tools: boolean;
  vision: boolean;
  json: boolean;
}

export function requestNeeds(request: ChatRequest): RequestNeeds {
  const vision = request.messages.some(
    (message) =>
      (message.role === 'user' || message.role === 'tool') && message.content.some((part) => part.type === 'image'),
  );
  const json = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
  return { tools: (request.tools?.length ?? 0) > 0, vision, json };
}
