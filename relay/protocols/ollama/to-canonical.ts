import type { z } from 'zod';
import type { ChatMessage, ChatRequest, ContentPart, JsonObject, ResponseFormat, ToolCall } from '../../core/chat-request.js';
import { invalidRequest, type RelayError } from '../../core/errors.js';
import type { EmbeddingRequest } from '../../core/relay-service.js';
import { imageUrlOf } from './images.js';
import { parseKeepAlive } from './loaded-models.js';
import {
  MESSAGE_ROLES,
  chatRequestSchema,
  embedRequestSchema,
  embeddingsRequestSchema,
  generateRequestSchema,
  messageSchema,
  namedModelSchema,
  type ChatRequestWire,
  type MessageWire,
  type OptionsWire,
} from './wire-types.js';

/** A decoded `/api/chat` or `/api/generate` body. */
export interface DecodedOllamaChat {
  /** The model name exactly as the client sent it (echoed in every answer). */
  model: string;
  /** Undefined when the call only loads or unloads the model (no messages, or an empty prompt). */
  request: ChatRequest | undefined;
  /** Ollama streams unless `stream: false`. */
  stream: boolean;
  /** `keep_alive` in milliseconds (0 unloads), undefined for the default. */
  keepAliveMs: number | undefined;
  /** `think: false`: the client does not want reasoning shown. */
  hideThinking: boolean;
}

/** A zod failure as one short Ollama-style message naming the field. */
export function zodError(error: z.ZodError, prefix = ''): RelayError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest('invalid request body');
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
  const param = `${prefix}${path}`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return invalidRequest(`${param} is required`, param);
  if (issue.code === 'invalid_type') {
    return invalidRequest(`invalid type for ${param}: expected ${(issue as { expected?: string }).expected ?? 'another type'}`, param);
  }
  return invalidRequest(`invalid ${param || 'request'}: ${issue.message}`, param || undefined);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw zodError(parsed.error);
  return parsed.data;
}

/** The sampling settings of `options`, `format` and `think`, applied to a canonical request. */
function applySettings(request: ChatRequest, wire: { options?: OptionsWire | null; format?: ChatRequestWire['format']; think?: ChatRequestWire['think'] }): void {
  const options = wire.options ?? {};
  if (options.temperature != null) request.temperature = options.temperature;
  if (options.top_p != null) request.topP = options.top_p;
  if (options.top_k != null && options.top_k > 0) request.topK = options.top_k;
  if (options.num_predict != null && options.num_predict > 0) request.maxOutputTokens = options.num_predict;
  if (options.stop != null) {
    const stop = typeof options.stop === 'string' ? [options.stop] : options.stop;
    if (stop.length > 0) request.stop = stop;
  }
  if (options.seed != null) request.seed = options.seed;
  if (options.presence_penalty != null) request.presencePenalty = options.presence_penalty;
  if (options.frequency_penalty != null) request.frequencyPenalty = options.frequency_penalty;
  // num_ctx is the upstream's business: routing already picks a model whose window fits.
  const format = responseFormatOf(wire.format);
  if (format) request.responseFormat = format;
  // `think: true` leaves the effort to the upstream (an effort sent to a model that cannot reason
  // is a 400 on several upstreams); the named levels map to reasoning effort.
  if (typeof wire.think === 'string') request.reasoningEffort = wire.think === 'max' ? 'high' : wire.think;
}

function responseFormatOf(format: ChatRequestWire['format']): ResponseFormat | undefined {
  if (format === null || format === undefined || format === '') return undefined;
  if (format === 'json') return { type: 'json_object' };
  return { type: 'json_schema', name: 'response', schema: format as JsonObject };
}

function decodeMessage(raw: unknown, index: number): MessageWire {
  const param = `messages[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidRequest(`invalid type for ${param}: expected an object`, param);
  const role = (raw as { role?: unknown }).role;
  if (typeof role !== 'string') throw invalidRequest(`${param}.role is required`, `${param}.role`);
  if (!(MESSAGE_ROLES as readonly string[]).includes(role)) {
    throw invalidRequest(`invalid role '${role.slice(0, 40)}' in ${param}.role: use ${MESSAGE_ROLES.join(', ')}`, `${param}.role`);
  }
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) throw zodError(parsed.error, `${param}.`);
  return parsed.data;
}

function imageParts(images: readonly string[] | null | undefined, param: string): ContentPart[] {
  return (images ?? []).map((image, index) => ({ type: 'image', url: imageUrlOf(image, `${param ? `${param}.` : ''}images[${index}]`) }));
}

/** Ollama sends arguments as an object; canonical arguments are the JSON text. */
function argumentsText(value: Record<string, unknown> | string | null | undefined): string {
  if (value === null || value === undefined) return '{}';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Ollama messages → canonical messages. Tool results name their call by `tool_call_id` when the
 * client kept it, else only by `tool_name`: that is matched to the latest assistant message's
 * calls (the first unanswered call of that name), and calls sent back without an id get a
 * deterministic one (`call_<message>_<call>`), so the same history always reads the same.
 */
export function toCanonicalMessages(rawMessages: readonly unknown[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let pending: Array<{ id: string; name: string; answered: boolean }> = [];
  rawMessages.forEach((raw, index) => {
    const message = decodeMessage(raw, index);
    const param = `messages[${index}]`;
    const content = message.content ?? '';
    switch (message.role) {
      case 'system':
        if ((message.images ?? []).length > 0) throw invalidRequest(`${param}: images are allowed on user and tool messages only`, `${param}.images`);
        messages.push({ role: 'system', content });
        return;
      case 'user': {
        const images = imageParts(message.images, param);
        const parts: ContentPart[] = content !== '' || images.length === 0 ? [{ type: 'text', text: content }, ...images] : images;
        messages.push({ role: 'user', content: parts });
        return;
      }
      case 'assistant': {
        if ((message.images ?? []).length > 0) throw invalidRequest(`${param}: images are allowed on user and tool messages only`, `${param}.images`);
        const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call, callIndex) => ({
          id: call.id || `call_${index}_${callIndex}`,
          name: call.function.name,
          arguments: argumentsText(call.function.arguments),
        }));
        if (toolCalls.length > 0) pending = toolCalls.map((call) => ({ id: call.id, name: call.name, answered: false }));
        messages.push({
          role: 'assistant',
          content: content === '' ? [] : [{ type: 'text', text: content }],
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
          ...(message.thinking ? { reasoning: message.thinking } : {}),
        });
        return;
      }
      case 'tool': {
        const toolCallId = answeredCall(message, pending, param);
        const images = imageParts(message.images, param);
        messages.push({ role: 'tool', toolCallId, content: [{ type: 'text', text: content }, ...images] });
        return;
      }
    }
  });
  return messages;
}

function answeredCall(message: MessageWire, pending: Array<{ id: string; name: string; answered: boolean }>, param: string): string {
  const mark = (call: { id: string; answered: boolean } | undefined) => {
    if (call) call.answered = true;
    return call?.id;
  };
  if (message.tool_call_id) {
    mark(pending.find((call) => call.id === message.tool_call_id));
    return message.tool_call_id;
  }
  if (pending.length === 0) {
    throw invalidRequest(`${param} is a tool result, but no assistant message before it called a tool`, `${param}.role`);
  }
  const name = message.tool_name;
  if (name) {
    const id = mark(pending.find((call) => call.name === name && !call.answered)) ?? pending.findLast((call) => call.name === name)?.id;
    if (id === undefined) {
      throw invalidRequest(`${param}.tool_name '${name.slice(0, 80)}' matches no tool call of the assistant message before it`, `${param}.tool_name`);
    }
    return id;
  }
  return mark(pending.find((call) => !call.answered)) ?? (pending.at(-1)?.id as string);
}

export function decodeChatRequest(body: unknown): DecodedOllamaChat {
  const wire = parse(chatRequestSchema, body);
  const keepAliveMs = parseKeepAlive(wire.keep_alive);
  const base = { model: wire.model, stream: wire.stream !== false, keepAliveMs, hideThinking: wire.think === false };
  const rawMessages = wire.messages ?? [];
  if (rawMessages.length === 0) return { ...base, request: undefined };
  const request: ChatRequest = { model: wire.model, messages: toCanonicalMessages(rawMessages) };
  if (wire.tools && wire.tools.length > 0) {
    request.tools = wire.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description == null ? {} : { description: tool.function.description }),
      ...(tool.function.parameters == null ? {} : { parameters: tool.function.parameters as JsonObject }),
    }));
  }
  applySettings(request, wire);
  return { ...base, request };
}

/** `/api/generate`: `system` and `prompt` (with its images) become a two-message conversation. */
export function decodeGenerateRequest(body: unknown): DecodedOllamaChat {
  const wire = parse(generateRequestSchema, body);
  if (wire.suffix) {
    throw invalidRequest('suffix (fill-in-the-middle) is not supported: the relay serves chat models; send the whole prompt without suffix', 'suffix');
  }
  if (wire.raw === true) {
    throw invalidRequest('raw prompts are not supported: the relay serves chat models, which apply their own template; send raw: false', 'raw');
  }
  if (wire.context && wire.context.length > 0) {
    throw invalidRequest('context (token ids from an earlier answer) is not supported by this relay; send the conversation to /api/chat instead', 'context');
  }
  const keepAliveMs = parseKeepAlive(wire.keep_alive);
  const base = { model: wire.model, stream: wire.stream !== false, keepAliveMs, hideThinking: wire.think === false };
  const prompt = wire.prompt ?? '';
  const images = imageParts(wire.images, '');
  if (prompt === '' && images.length === 0) return { ...base, request: undefined };
  const messages: ChatMessage[] = [];
  if (wire.system) messages.push({ role: 'system', content: wire.system });
  messages.push({ role: 'user', content: prompt !== '' || images.length === 0 ? [{ type: 'text', text: prompt }, ...images] : images });
  const request: ChatRequest = { model: wire.model, messages };
  applySettings(request, wire);
  return { ...base, request };
}

export interface DecodedEmbed {
  model: string;
  /** Empty when the call only loads the model. */
  request: EmbeddingRequest;
  keepAliveMs: number | undefined;
}

export function decodeEmbedRequest(body: unknown): DecodedEmbed {
  const wire = parse(embedRequestSchema, body);
  const input = wire.input == null ? [] : typeof wire.input === 'string' ? [wire.input] : wire.input;
  const request: EmbeddingRequest = { model: wire.model, input };
  if (wire.dimensions != null) request.dimensions = wire.dimensions;
  return { model: wire.model, request, keepAliveMs: parseKeepAlive(wire.keep_alive) };
}

/** Legacy `/api/embeddings`: one prompt, one vector; an empty prompt only loads the model. */
export function decodeEmbeddingsRequest(body: unknown): DecodedEmbed {
  const wire = parse(embeddingsRequestSchema, body);
  const prompt = wire.prompt ?? '';
  return { model: wire.model, request: { model: wire.model, input: prompt === '' ? [] : [prompt] }, keepAliveMs: parseKeepAlive(wire.keep_alive) };
}

/** `{model}` or the older `{name}` of `/api/show`, `/api/pull` and the like. */
export function decodeNamedModel(body: unknown): { model: string; stream: boolean | undefined } {
  const wire = parse(namedModelSchema, body ?? {});
  const model = (wire.model ?? wire.name ?? '').trim();
  if (model === '') throw invalidRequest('model is required', 'model');
  return { model, stream: wire.stream ?? undefined };
}
