import type { z } from 'zod';
import type { ChatMessage, ChatRequest, ContentPart, JsonObject, TextPart, ToolChoice } from '../../core/chat-request.js';
import { invalidRequest, type RelayError } from '../../core/errors.js';
import type { EmbeddingRequest } from '../../core/relay-service.js';
import {
  ROLES,
  chatCompletionRequestSchema,
  completionRequestSchema,
  embeddingRequestSchema,
  messageSchema,
  type ChatCompletionRequestWire,
  type MessageWire,
} from './wire-types.js';

/** Request fields the canonical request names; everything else travels in `extraBody`. */
const KNOWN_FIELDS = new Set([
  'model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'max_tokens',
  'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'presence_penalty', 'frequency_penalty',
  'response_format', 'reasoning_effort', 'n', 'user', 'functions', 'function_call',
]);

export interface DecodedChat {
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

export function zodError(error: z.ZodError, prefix = ''): RelayError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest('The request body is invalid.');
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
  const param = `${prefix}${path}`;
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    // zod 4 leaves `input` out of issues unless asked, so only its message tells missing from wrong.
    message = /received undefined$/.test(issue.message)
      ? `Missing required parameter: '${param}'.`
      : `Invalid type for '${param}': expected ${(issue as { expected?: string }).expected ?? 'another type'}.`;
  } else if (param) {
    message = `Invalid value for '${param}': ${issue.message}.`;
  }
  return invalidRequest(message, param || undefined);
}

function decodeMessage(raw: unknown, index: number): MessageWire {
  const param = `messages[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidRequest(`Invalid type for '${param}': expected an object.`, param);
  const role = (raw as { role?: unknown }).role;
  if (typeof role !== 'string') throw invalidRequest(`Missing required parameter: '${param}.role'.`, `${param}.role`);
  if (role === 'function') {
    throw invalidRequest(`'${param}.role' is 'function', which is deprecated and not supported; use 'tool' messages.`, `${param}.role`);
  }
  if (!(ROLES as readonly string[]).includes(role)) {
    throw invalidRequest(`Invalid value for '${param}.role': '${role.slice(0, 40)}'. Supported roles are ${ROLES.join(', ')}.`, `${param}.role`);
  }
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) throw zodError(parsed.error, `${param}.`);
  return parsed.data;
}

function textOf(content: string | Array<{ type: string; text?: unknown; refusal?: unknown }> | null | undefined, param: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
      throw invalidRequest(`Unsupported content part type '${part.type}' at '${param}[${index}]'; only text is allowed here.`, `${param}[${index}].type`);
    })
    .join('');
}

function partsOf(content: string | Array<Record<string, unknown> & { type: string }>, param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index): ContentPart => {
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part.type === 'image_url') {
      const image = part.image_url as string | { url: string; detail?: 'auto' | 'low' | 'high' };
      const url = typeof image === 'string' ? image : image.url;
      if (!/^(https?:|data:image\/)/i.test(url)) {
        throw invalidRequest(`'${param}[${index}].image_url.url' must be an http(s) URL or a data:image/... URL.`, `${param}[${index}].image_url.url`);
      }
      const detail = typeof image === 'string' ? undefined : image.detail;
      return detail ? { type: 'image', url, detail } : { type: 'image', url };
    }
    throw invalidRequest(`Unsupported content part type '${String(part.type).slice(0, 40)}' at '${param}[${index}]'.`, `${param}[${index}].type`);
  });
}

function toCanonicalMessage(message: MessageWire, index: number): ChatMessage {
  const param = `messages[${index}].content`;
  switch (message.role) {
    case 'system':
    case 'developer':
      // Many upstreams reject `developer`; it means the same as `system` to them.
      return { role: 'system', content: textOf(message.content, param) };
    case 'user':
      return { role: 'user', content: partsOf(message.content, param), ...(message.name ? { name: message.name } : {}) };
    case 'assistant': {
      const text = textOf(message.content, param);
      const content: TextPart[] = text === '' ? [] : [{ type: 'text', text }];
      const toolCalls = (message.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments),
      }));
      const reasoning = message.reasoning_content ?? message.reasoning ?? undefined;
      return {
        role: 'assistant',
        content,
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        ...(reasoning ? { reasoning } : {}),
        ...(message.name ? { name: message.name } : {}),
      };
    }
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: partsOf(message.content, param) };
  }
}

function toolChoiceOf(choice: ChatCompletionRequestWire['tool_choice']): ToolChoice | undefined {
  if (choice === null || choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

export function decodeChatRequest(body: unknown): DecodedChat {
  const parsed = chatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) throw zodError(parsed.error);
  const wire = parsed.data;
  if ('functions' in wire || 'function_call' in wire) {
    throw invalidRequest("'functions' and 'function_call' are deprecated and not supported; use 'tools' and 'tool_choice'.", 'functions');
  }
  const messages = wire.messages.map((raw, index) => toCanonicalMessage(decodeMessage(raw, index), index));
  const request: ChatRequest = { model: wire.model, messages };
  if (wire.tools && wire.tools.length > 0) {
    request.tools = wire.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
      ...(tool.function.parameters === undefined ? {} : { parameters: tool.function.parameters as JsonObject }),
      ...(tool.function.strict === undefined || tool.function.strict === null ? {} : { strict: tool.function.strict }),
    }));
  }
  const toolChoice = toolChoiceOf(wire.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  if (typeof wire.parallel_tool_calls === 'boolean') request.parallelToolCalls = wire.parallel_tool_calls;
  const maxTokens = wire.max_completion_tokens ?? wire.max_tokens;
  if (maxTokens !== null && maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  if (wire.temperature !== null && wire.temperature !== undefined) request.temperature = wire.temperature;
  if (wire.top_p !== null && wire.top_p !== undefined) request.topP = wire.top_p;
  if (wire.stop !== null && wire.stop !== undefined) request.stop = typeof wire.stop === 'string' ? [wire.stop] : wire.stop;
  if (wire.seed !== null && wire.seed !== undefined) request.seed = wire.seed;
  if (wire.presence_penalty !== null && wire.presence_penalty !== undefined) request.presencePenalty = wire.presence_penalty;
  if (wire.frequency_penalty !== null && wire.frequency_penalty !== undefined) request.frequencyPenalty = wire.frequency_penalty;
  if (wire.reasoning_effort) request.reasoningEffort = wire.reasoning_effort;
  if (wire.user !== undefined) request.user = wire.user;
  const format = wire.response_format;
  if (format) {
    if (format.type === 'json_schema') {
      const spec = format.json_schema as { name: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string };
      request.responseFormat = {
        type: 'json_schema',
        name: spec.name,
        schema: (spec.schema ?? {}) as JsonObject,
        ...(spec.strict === null || spec.strict === undefined ? {} : { strict: spec.strict }),
        ...(spec.description === undefined ? {} : { description: spec.description }),
      };
    } else {
      request.responseFormat = { type: format.type as 'text' | 'json_object' };
    }
  }
  const extra: JsonObject = {};
  for (const [name, value] of Object.entries(wire)) {
    if (!KNOWN_FIELDS.has(name) && value !== undefined) extra[name] = value as JsonObject[string];
  }
  if (Object.keys(extra).length > 0) request.extraBody = extra;
  return { request, stream: wire.stream === true, includeUsage: wire.stream_options?.include_usage === true };
}

/** Legacy `/v1/completions`: the prompt becomes one user message. */
export function decodeCompletionRequest(body: unknown): DecodedChat & { echoPrompt: string | undefined } {
  const parsed = completionRequestSchema.safeParse(body);
  if (!parsed.success) throw zodError(parsed.error);
  const wire = parsed.data;
  const prompt = typeof wire.prompt === 'string' ? wire.prompt : wire.prompt[0] ?? '';
  if (wire.suffix) throw invalidRequest("'suffix' (fill-in-the-middle) is not supported by this relay.", 'suffix');
  const request: ChatRequest = { model: wire.model, messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] };
  if (wire.max_tokens !== null && wire.max_tokens !== undefined) request.maxOutputTokens = wire.max_tokens;
  if (wire.temperature !== null && wire.temperature !== undefined) request.temperature = wire.temperature;
  if (wire.top_p !== null && wire.top_p !== undefined) request.topP = wire.top_p;
  if (wire.stop !== null && wire.stop !== undefined) request.stop = typeof wire.stop === 'string' ? [wire.stop] : wire.stop;
  if (wire.seed !== null && wire.seed !== undefined) request.seed = wire.seed;
  if (wire.user !== undefined) request.user = wire.user;
  return {
    request,
    stream: wire.stream === true,
    includeUsage: wire.stream_options?.include_usage === true,
    echoPrompt: wire.echo ? prompt : undefined,
  };
}

export function decodeEmbeddingRequest(body: unknown): { request: EmbeddingRequest; encoding: 'float' | 'base64' } {
  const parsed = embeddingRequestSchema.safeParse(body);
  if (!parsed.success) throw zodError(parsed.error);
  const wire = parsed.data;
  const request: EmbeddingRequest = { model: wire.model, input: typeof wire.input === 'string' ? [wire.input] : wire.input };
  if (wire.dimensions !== undefined) request.dimensions = wire.dimensions;
  if (wire.user !== undefined) request.user = wire.user;
  return { request, encoding: wire.encoding_format ?? 'float' };
}
