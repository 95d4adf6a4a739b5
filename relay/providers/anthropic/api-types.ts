/**
 * The Anthropic Messages API as an upstream sends it. Read defensively: Anthropic adds block and
 * delta types (citations, server tools, containers) and Anthropic-compatible servers omit fields.
 * Only what the relay reads is typed.
 */

export interface UsageWire {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface ContentBlockWire {
  type?: string;
  text?: string;
  thinking?: string;
  signature?: string;
  data?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface DeltaWire {
  type?: string;
  text?: string;
  thinking?: string;
  signature?: string;
  partial_json?: string;
}

export interface MessageWire {
  id?: string;
  model?: string;
  content?: ContentBlockWire[];
  stop_reason?: string | null;
  stop_sequence?: string | null;
  usage?: UsageWire;
}

export interface StreamEventWire {
  type?: string;
  message?: MessageWire;
  index?: number;
  content_block?: ContentBlockWire;
  delta?: DeltaWire & { stop_reason?: string | null; stop_sequence?: string | null };
  usage?: UsageWire;
  error?: ErrorWire;
}

export interface ErrorWire {
  type?: string;
  message?: string;
}

/** `{type: "error", error: {type, message}}`. */
export interface ErrorBodyWire {
  type?: string;
  error?: ErrorWire | string;
  message?: string;
}

/** Newer model lists say what each model supports; older ones and compatible servers only list ids. */
export interface ModelInfoWire {
  id?: string;
  type?: string;
  display_name?: string;
  max_input_tokens?: number | null;
  max_tokens?: number | null;
  lifecycle?: string;
  capabilities?: { image_input?: { supported?: boolean }; thinking?: { supported?: boolean } } | null;
}

export interface ModelListWire {
  data?: ModelInfoWire[];
  has_more?: boolean;
  last_id?: string | null;
}
