import { z } from 'zod';

/**
 * The OpenAI request bodies the relay accepts, as zod schemas. Objects are loose: fields the
 * relay does not read are kept and may be forwarded to OpenAI-compatible upstreams.
 */

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
const tokenCount = z.number().int('must be an integer').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER);

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.union([
    z.string().min(1),
    z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
  ]),
});
const otherPart = z.looseObject({ type: z.string() });

export const userPartSchema = z.union([textPart, imagePart, otherPart]);
const textOnlyPart = z.union([textPart, z.looseObject({ type: z.literal('refusal'), refusal: z.string() }), otherPart]);

const toolCallSchema = z.looseObject({
  id: z.string().min(1).max(256),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1).max(256), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
});

const systemMessage = z.looseObject({
  role: z.enum(['system', 'developer']),
  content: z.union([z.string(), z.array(textOnlyPart)]),
  name: z.string().optional(),
});
const userMessage = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userPartSchema)]),
  name: z.string().optional(),
});
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(textOnlyPart), z.null()]).optional(),
  tool_calls: z.array(toolCallSchema).nullable().optional(),
  reasoning_content: z.string().nullable().optional(),
  reasoning: z.string().nullable().optional(),
  name: z.string().optional(),
});
const toolMessage = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1),
  content: z.union([z.string(), z.array(userPartSchema)]),
});

export const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export const messageSchema = z.discriminatedUnion('role', [systemMessage, userMessage, assistantMessage, toolMessage]);

const toolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1).max(256),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormatSchema = z.union([
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
      description: z.string().optional(),
    }),
  }),
]);

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'must not be empty').max(256, 'is too long'),
  messages: z.array(z.unknown()).min(1, 'must contain at least one message'),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(toolSchema).nullable().optional(),
  tool_choice: toolChoiceSchema.nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  max_tokens: tokenCount.nullable().optional(),
  max_completion_tokens: tokenCount.nullable().optional(),
  temperature: finiteNumber.min(0).max(2).nullable().optional(),
  top_p: finiteNumber.min(0).max(1).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  presence_penalty: finiteNumber.min(-2).max(2).nullable().optional(),
  frequency_penalty: finiteNumber.min(-2).max(2).nullable().optional(),
  response_format: responseFormatSchema.nullable().optional(),
  reasoning_effort: z.string().nullable().optional(),
  n: z.number().int().min(1).max(1, 'only 1 choice per request is supported').nullable().optional(),
  user: z.string().optional(),
});

export type ChatCompletionRequestWire = z.infer<typeof chatCompletionRequestSchema>;
export type MessageWire = z.infer<typeof messageSchema>;

export const completionRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  prompt: z.union([z.string(), z.array(z.string()).length(1, 'only one prompt per request is supported')]),
  suffix: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: tokenCount.nullable().optional(),
  temperature: finiteNumber.min(0).max(2).nullable().optional(),
  top_p: finiteNumber.min(0).max(1).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  n: z.number().int().min(1).max(1, 'only 1 choice per request is supported').nullable().optional(),
  echo: z.boolean().nullable().optional(),
  user: z.string().optional(),
});

export type CompletionRequestWire = z.infer<typeof completionRequestSchema>;

export const embeddingRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
});

export type EmbeddingRequestWire = z.infer<typeof embeddingRequestSchema>;
