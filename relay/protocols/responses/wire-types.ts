import { z } from 'zod';

/**
 * The OpenAI Responses request body (`POST /v1/responses`) as Codex CLI and the official SDKs send
 * it, as zod schemas. Objects are loose: fields the relay does not read are tolerated, never
 * forwarded. `input` items are checked one by one in to-canonical.ts so an error can name the item.
 */

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
const tokenCount = z.number().int('must be an integer').min(1, 'must be 1 or more').max(Number.MAX_SAFE_INTEGER);
const callId = z.string().min(1, 'must not be empty').max(512, 'is too long');
const toolName = z.string().min(1, 'must not be empty').max(256, 'is too long');

// --- content parts ----------------------------------------------------------------------------

export const inputTextPart = z.looseObject({ type: z.literal('input_text'), text: z.string() });
export const outputTextPart = z.looseObject({ type: z.literal('output_text'), text: z.string() });
export const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
export const inputImagePart = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullable().optional(),
  file_id: z.string().nullable().optional(),
  detail: z.string().nullable().optional(),
});

/** Any part; the decoder tells the supported ones apart by `type`. */
const anyPart = z.looseObject({ type: z.string() });
const partsOrString = z.union([z.string(), z.array(anyPart)]);

// --- input items ------------------------------------------------------------------------------

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'developer'] as const;

export const messageItemSchema = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(MESSAGE_ROLES),
  content: partsOrString,
});

export const functionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  call_id: callId,
  name: toolName,
  /** A JSON string on the wire; an object is tolerated and re-serialised. */
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

export const functionCallOutputItemSchema = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: callId,
  output: partsOrString,
});

export const customToolCallItemSchema = z.looseObject({
  type: z.literal('custom_tool_call'),
  call_id: callId,
  name: toolName,
  input: z.string(),
});

export const customToolCallOutputItemSchema = z.looseObject({
  type: z.literal('custom_tool_call_output'),
  call_id: callId,
  output: partsOrString,
});

const textEntry = z.looseObject({ type: z.string().optional(), text: z.string() });
export const reasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(textEntry).nullable().optional(),
  content: z.array(textEntry).nullable().optional(),
  encrypted_content: z.string().nullable().optional(),
});

export type MessageItemWire = z.infer<typeof messageItemSchema>;
export type AnyPartWire = z.infer<typeof anyPart>;

// --- tools --------------------------------------------------------------------------------------

export const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: toolName,
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

export const customToolSchema = z.looseObject({
  type: z.literal('custom'),
  name: toolName,
  description: z.string().nullable().optional(),
  format: z
    .looseObject({ type: z.string(), syntax: z.string().optional(), definition: z.string().optional() })
    .nullable()
    .optional(),
});

export type FunctionToolWire = z.infer<typeof functionToolSchema>;
export type CustomToolWire = z.infer<typeof customToolSchema>;

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({
    type: z.string(),
    name: z.string().optional(),
    mode: z.enum(['auto', 'required']).optional(),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })).optional(),
  }),
]);

// --- text.format ---------------------------------------------------------------------------------

const textFormatSchema = z.union([
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1).max(256),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullable().optional(),
    description: z.string().nullable().optional(),
  }),
]);

// --- the request ----------------------------------------------------------------------------------

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, 'must not be empty').max(256, 'is too long'),
  input: z.union([z.string(), z.array(z.unknown())]),
  instructions: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).nullable().optional(),
  tool_choice: toolChoiceSchema.nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  reasoning: z
    .looseObject({ effort: z.string().nullable().optional(), summary: z.string().nullable().optional() })
    .nullable()
    .optional(),
  max_output_tokens: tokenCount.nullable().optional(),
  temperature: finiteNumber.min(0).max(2).nullable().optional(),
  top_p: finiteNumber.min(0).max(1).nullable().optional(),
  text: z.looseObject({ format: textFormatSchema.nullable().optional(), verbosity: z.string().nullable().optional() }).nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullable().optional(),
  prompt: z.unknown().optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  include: z.array(z.string()).nullable().optional(),
  prompt_cache_key: z.string().nullable().optional(),
});

export type ResponsesRequestWire = z.infer<typeof responsesRequestSchema>;
export type ToolChoiceWire = z.infer<typeof toolChoiceSchema>;
