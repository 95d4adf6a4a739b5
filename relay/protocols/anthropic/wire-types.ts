import { z } from 'zod';

/**
 * The Anthropic Messages request bodies the relay accepts, as zod schemas, and the shapes it
 * sends back. Objects are loose: Claude Code adds fields release by release (output_config,
 * context_management, ...), and a real Anthropic upstream may receive them. Optional fields also
 * accept null, which some clients send for "not given".
 */

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
// 0 is valid: Anthropic accepts max_tokens 0 to warm the prompt cache.
const tokenCount = z.number().int('must be an integer').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER);
const cacheControl = z.looseObject({ type: z.string() }).nullable().optional();

export const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });

export const imageBlockSchema = z.looseObject({
  type: z.literal('image'),
  source: z.union([
    z.looseObject({
      type: z.literal('base64'),
      media_type: z.string().regex(/^image\/[a-z0-9.+-]+$/i, 'must be an image media type such as image/png'),
      data: z.string().min(1, 'must not be empty'),
    }),
    z.looseObject({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//i, 'must be an http(s) URL') }),
  ]),
  cache_control: cacheControl,
});

export const documentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: z.looseObject({ type: z.string(), data: z.unknown().optional(), media_type: z.string().optional() }),
  title: z.string().nullable().optional(),
  cache_control: cacheControl,
});

export const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1, 'must not be empty').max(256),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullable().optional(),
  is_error: z.boolean().nullable().optional(),
  cache_control: cacheControl,
});

export const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1, 'must not be empty').max(256),
  name: z.string().min(1, 'must not be empty').max(256),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

export const thinkingBlockSchema = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullable().optional() });
export const redactedThinkingBlockSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

export const messageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});

export const toolSchema = z.looseObject({
  // Server tools (web_search_20250305, bash_..., text_editor_...) carry a type and no schema.
  type: z.string().nullable().optional(),
  name: z.string().min(1, 'must not be empty').max(256),
  description: z.string().nullable().optional(),
  input_schema: z.record(z.string(), z.unknown()).nullable().optional(),
  cache_control: cacheControl,
});

export const toolChoiceSchema = z
  .looseObject({
    type: z.enum(['auto', 'any', 'none', 'tool']),
    name: z.string().min(1).max(256).optional(),
    disable_parallel_tool_use: z.boolean().nullable().optional(),
  })
  .refine((choice) => choice.type !== 'tool' || choice.name !== undefined, { message: "a 'tool' choice needs a name", path: ['name'] });

const requestFields = {
  model: z.string().min(1, 'must not be empty').max(256, 'is too long'),
  messages: z.array(z.unknown()).min(1, 'must contain at least one message'),
  system: z.union([z.string(), z.array(z.unknown())]).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  // Anthropic's range is 0-1; larger values from OpenAI habits are clamped, not refused.
  temperature: finiteNumber.min(0, 'must be 0 or more').nullable().optional(),
  top_p: finiteNumber.min(0).max(1).nullable().optional(),
  top_k: z.number().int().min(0).nullable().optional(),
  stop_sequences: z.array(z.string()).max(64).nullable().optional(),
  tools: z.array(z.unknown()).nullable().optional(),
  tool_choice: toolChoiceSchema.nullable().optional(),
  thinking: z.looseObject({ type: z.string() }).nullable().optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).nullable().optional(),
};

export const messagesRequestSchema = z.looseObject({ ...requestFields, max_tokens: tokenCount });
/** count_tokens takes the same body without max_tokens and stream. */
export const countTokensRequestSchema = z.looseObject({ ...requestFields, max_tokens: tokenCount.nullable().optional() });

export type MessagesRequestWire = z.infer<typeof countTokensRequestSchema>;
export type MessageWire = z.infer<typeof messageSchema>;
export type ToolWire = z.infer<typeof toolSchema>;

/** Response content blocks, as the SDK's MessageStream and Claude Code read them. */
export type ContentBlockWire =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface UsageWire {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface MessageWireResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlockWire[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: UsageWire;
}

export type DeltaWire =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'input_json_delta'; partial_json: string };

/** One server-sent event; its `type` is also the SSE `event:` name. */
export type StreamEventWire =
  | { type: 'message_start'; message: MessageWireResponse }
  | { type: 'content_block_start'; index: number; content_block: ContentBlockWire }
  | { type: 'content_block_delta'; index: number; delta: DeltaWire }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: string; stop_sequence: string | null }; usage: UsageWire }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };
