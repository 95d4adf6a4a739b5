import { z } from 'zod';

/**
 * The Ollama request bodies the relay accepts (`/api/*`), as zod schemas. Objects are loose: the
 * many Ollama fields the relay does not use (num_gpu, logprobs, ...) are accepted and ignored.
 * `null` counts as absent, as it does for Ollama's Go decoder.
 */

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
const integer = z.number().int('must be an integer').min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

export const modelName = z.string().trim().min(1, 'is required').max(256, 'is too long');

/** Ollama's `options`: the sampling settings the relay maps, type-checked; the rest is ignored. */
export const optionsSchema = z.looseObject({
  temperature: finiteNumber.min(0, 'must be 0 or more').nullable().optional(),
  top_p: finiteNumber.min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').nullable().optional(),
  top_k: integer.min(0, 'must be 0 or more').nullable().optional(),
  // -1 means "no limit", -2 "fill the context"; both leave the upstream's own limit in place.
  num_predict: integer.min(-2, 'must be -2, -1 or a positive integer').nullable().optional(),
  num_ctx: integer.min(0, 'must be 0 or more').nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16, 'may hold at most 16 sequences')]).nullable().optional(),
  seed: integer.nullable().optional(),
  presence_penalty: finiteNumber.nullable().optional(),
  frequency_penalty: finiteNumber.nullable().optional(),
});

export type OptionsWire = z.infer<typeof optionsSchema>;

const toolCallSchema = z.looseObject({
  id: z.string().max(256).nullable().optional(),
  type: z.string().nullable().optional(),
  function: z.looseObject({
    index: z.number().int().nullable().optional(),
    name: z.string().min(1, 'is required').max(256),
    // Ollama sends an object; a JSON string (OpenAI style) is accepted as well.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).nullable().optional(),
  }),
});

export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'tool'] as const;

export const messageSchema = z.looseObject({
  role: z.enum(MESSAGE_ROLES),
  content: z.string().nullable().optional(),
  thinking: z.string().nullable().optional(),
  images: z.array(z.string()).max(64).nullable().optional(),
  tool_calls: z.array(toolCallSchema).nullable().optional(),
  tool_name: z.string().max(256).nullable().optional(),
  tool_call_id: z.string().max(256).nullable().optional(),
});

export type MessageWire = z.infer<typeof messageSchema>;

const toolSchema = z.looseObject({
  type: z.literal('function', 'must be "function"').optional(),
  function: z.looseObject({
    name: z.string().min(1, 'is required').max(256),
    description: z.string().nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});

/** `"json"`, a JSON schema object, or empty for plain text. */
const formatSchema = z.union([z.enum(['json', '']), z.record(z.string(), z.unknown())], 'must be "json" or a JSON schema object');

const thinkSchema = z.union([z.boolean(), z.enum(['low', 'medium', 'high', 'max'])], 'must be true, false, "low", "medium", "high" or "max"');

/** A Go duration (`"5m"`, `"1h30m"`, `"-1"`), or a number of seconds; checked by parseKeepAlive. */
const keepAliveSchema = z.union([z.string().max(64), finiteNumber], 'must be a duration such as "5m" or a number of seconds');

const streamSchema = z.boolean('must be true or false').nullable().optional();

export const chatRequestSchema = z.looseObject({
  model: modelName,
  messages: z.array(z.unknown()).max(100_000).nullable().optional(),
  tools: z.array(toolSchema).max(512).nullable().optional(),
  format: formatSchema.nullable().optional(),
  options: optionsSchema.nullable().optional(),
  stream: streamSchema,
  keep_alive: keepAliveSchema.nullable().optional(),
  think: thinkSchema.nullable().optional(),
});

export type ChatRequestWire = z.infer<typeof chatRequestSchema>;

export const generateRequestSchema = z.looseObject({
  model: modelName,
  prompt: z.string().nullable().optional(),
  suffix: z.string().nullable().optional(),
  system: z.string().nullable().optional(),
  template: z.string().nullable().optional(),
  context: z.array(z.number()).nullable().optional(),
  raw: z.boolean('must be true or false').nullable().optional(),
  images: z.array(z.string()).max(64).nullable().optional(),
  format: formatSchema.nullable().optional(),
  options: optionsSchema.nullable().optional(),
  stream: streamSchema,
  keep_alive: keepAliveSchema.nullable().optional(),
  think: thinkSchema.nullable().optional(),
});

export type GenerateRequestWire = z.infer<typeof generateRequestSchema>;

export const embedRequestSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string(), z.array(z.string()).max(2048, 'may hold at most 2048 texts')], 'must be a string or an array of strings').nullable().optional(),
  truncate: z.boolean('must be true or false').nullable().optional(),
  dimensions: integer.min(1, 'must be 1 or more').nullable().optional(),
  options: optionsSchema.nullable().optional(),
  keep_alive: keepAliveSchema.nullable().optional(),
});

export const embeddingsRequestSchema = z.looseObject({
  model: modelName,
  prompt: z.string().nullable().optional(),
  options: optionsSchema.nullable().optional(),
  keep_alive: keepAliveSchema.nullable().optional(),
});

/** `/api/show`, `/api/pull` and friends name the model as `model`, or (older clients) `name`. */
export const namedModelSchema = z.looseObject({
  model: z.string().max(256).nullable().optional(),
  name: z.string().max(256).nullable().optional(),
  stream: streamSchema,
});
