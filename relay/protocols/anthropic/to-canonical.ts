import type { z } from 'zod';
import type { ChatMessage, ChatRequest, ContentPart, JsonObject, JsonValue, TextPart, ToolCall, ToolMessage, ToolSpec } from '../../core/chat-request.js';
import { invalidRequest, type RelayError } from '../../core/errors.js';
import {
  countTokensRequestSchema,
  documentBlockSchema,
  imageBlockSchema,
  messageSchema,
  messagesRequestSchema,
  redactedThinkingBlockSchema,
  textBlockSchema,
  thinkingBlockSchema,
  toolResultBlockSchema,
  toolSchema,
  toolUseBlockSchema,
  type MessagesRequestWire,
} from './wire-types.js';

/**
 * Anthropic Messages request → ChatRequest. What the canonical request cannot say travels in
 * `providerOptions.anthropic`, read only by the native Anthropic adapter:
 * - request: `system` (the raw system blocks), `thinking`, `metadata`, `betas` (the
 *   anthropic-beta header values), `serverTools`, `body` (unknown top-level fields);
 * - text and image parts, tools, tool results: `cacheControl`;
 * - a document approximated as text: `block` (the original block);
 * - assistant messages: `thinking` (signed thinking and redacted_thinking blocks, in order).
 * Other upstreams get the plain canonical request: no billing header, no cache_control.
 */

const KNOWN_FIELDS = new Set([
  'model', 'messages', 'system', 'stream', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'tools',
  'tool_choice', 'thinking', 'metadata',
]);

/** Claude Code's per-turn attribution line; it changes every turn and only Anthropic wants it. */
const BILLING_HEADER = /^\s*x-anthropic-billing-header:/i;
const BETA_TOKEN = /^[A-Za-z0-9._-]{1,128}$/;

export type WireHeaders = Record<string, string | string[] | undefined>;

export interface DecodedMessages {
  request: ChatRequest;
  stream: boolean;
  /** Keeps a conversation on one route: Claude Code's session header or metadata.user_id. */
  sessionId?: string;
}

/** A zod failure in Anthropic's own wording: `messages.0.content: Field required`. */
export function zodError(error: z.ZodError, prefix = ''): RelayError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest('The request body is invalid.');
  const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const detail = missing ? 'Field required' : issue.message;
  return invalidRequest(path ? `${path}: ${detail}` : detail, path || undefined);
}

function parse<T>(schema: z.ZodType<T>, value: unknown, param: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodError(parsed.error, param);
  return parsed.data;
}

function anthropicOptions(fields: Record<string, JsonValue | undefined>): { anthropic: JsonObject } | undefined {
  const kept: JsonObject = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== null) kept[name] = value;
  return Object.keys(kept).length > 0 ? { anthropic: kept } : undefined;
}

function withOptions<T extends object>(target: T, fields: Record<string, JsonValue | undefined>): T {
  const providerOptions = anthropicOptions(fields);
  return providerOptions ? { ...target, providerOptions } : target;
}

function imagePart(block: unknown, param: string): ContentPart {
  const image = parse(imageBlockSchema, block, param);
  const url = image.source.type === 'base64' ? `data:${image.source.media_type};base64,${image.source.data}` : image.source.url;
  return withOptions<ContentPart>({ type: 'image', url }, { cacheControl: image.cache_control as JsonObject | undefined });
}

function documentPart(block: unknown, param: string): TextPart {
  const document = parse(documentBlockSchema, block, param);
  const title = document.title ? ` "${document.title}"` : '';
  // Plain-text documents keep their text; a PDF has no canonical form, so other upstreams get a note.
  const text =
    document.source.type === 'text' && typeof document.source.data === 'string'
      ? document.source.data
      : `[Document${title} (${document.source.media_type ?? document.source.type}) omitted: this model cannot read documents.]`;
  return withOptions<TextPart>({ type: 'text', text }, { block: block as JsonObject, cacheControl: document.cache_control as JsonObject | undefined });
}

/** Text, image and document blocks; other block types (search results, server tool output) are Anthropic-only and dropped. */
function contentPart(block: { type: string }, param: string): ContentPart | undefined {
  switch (block.type) {
    case 'text': {
      const text = parse(textBlockSchema, block, param);
      return withOptions<TextPart>({ type: 'text', text: text.text }, { cacheControl: text.cache_control as JsonObject | undefined });
    }
    case 'image':
      return imagePart(block, param);
    case 'document':
      return documentPart(block, param);
    default:
      return undefined;
  }
}

function toolMessage(block: unknown, param: string): ToolMessage {
  const result = parse(toolResultBlockSchema, block, param);
  const raw = result.content ?? [];
  const content: ContentPart[] =
    typeof raw === 'string'
      ? [{ type: 'text', text: raw }]
      : raw.flatMap((inner, index) => contentPart(inner, `${param}.content.${index}`) ?? []);
  const message: ToolMessage = { role: 'tool', toolCallId: result.tool_use_id, content };
  if (result.is_error === true) message.isError = true;
  return withOptions(message, { cacheControl: result.cache_control as JsonObject | undefined });
}

/** A user turn: its tool results first (OpenAI wants them right after the calls), then its own content. */
function userMessages(content: Array<{ type: string }>, param: string): ChatMessage[] {
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((block, index) => {
    if (block.type === 'tool_result') results.push(toolMessage(block, `${param}.${index}`));
    else {
      const part = contentPart(block, `${param}.${index}`);
      if (part) parts.push(part);
    }
  });
  return parts.length > 0 ? [...results, { role: 'user', content: parts }] : results;
}

function assistantMessage(content: Array<{ type: string }>, param: string): ChatMessage | undefined {
  const text: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  const reasoning: string[] = [];
  const signed: JsonObject[] = [];
  content.forEach((block, index) => {
    const blockParam = `${param}.${index}`;
    if (block.type === 'text') {
      const part = contentPart(block, blockParam) as TextPart;
      if (part.text !== '') text.push(part);
    } else if (block.type === 'tool_use') {
      const call = parse(toolUseBlockSchema, block, blockParam);
      toolCalls.push({ id: call.id, name: call.name, arguments: JSON.stringify(call.input) });
    } else if (block.type === 'thinking') {
      const thinking = parse(thinkingBlockSchema, block, blockParam);
      reasoning.push(thinking.thinking);
      // Only a signed block can go back to Anthropic; the relay sends "" for reasoning from other upstreams.
      if (thinking.signature) signed.push({ type: 'thinking', thinking: thinking.thinking, signature: thinking.signature });
    } else if (block.type === 'redacted_thinking') {
      signed.push({ type: 'redacted_thinking', data: parse(redactedThinkingBlockSchema, block, blockParam).data });
    }
  });
  if (text.length === 0 && toolCalls.length === 0 && signed.length === 0 && reasoning.length === 0) return undefined;
  const message: ChatMessage = { role: 'assistant', content: text };
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  const joined = reasoning.join('');
  if (joined !== '') message.reasoning = joined;
  return withOptions(message, { thinking: signed.length > 0 ? signed : undefined });
}

function toCanonicalMessages(raw: unknown, index: number): ChatMessage[] {
  const param = `messages.${index}`;
  const message = parse(messageSchema, raw, param);
  const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  if (message.role === 'user') return userMessages(blocks, `${param}.content`);
  const assistant = assistantMessage(blocks, `${param}.content`);
  return assistant ? [assistant] : [];
}

function systemOf(system: MessagesRequestWire['system']): { message?: ChatMessage; blocks?: JsonValue[] } {
  if (system === null || system === undefined) return {};
  if (typeof system === 'string') return system === '' ? {} : { message: { role: 'system', content: system } };
  const texts = system.map((block, index) => parse(textBlockSchema, block, `system.${index}`).text);
  const content = texts.filter((text) => !BILLING_HEADER.test(text) && text !== '').join('\n\n');
  return { ...(content === '' ? {} : { message: { role: 'system', content } }), blocks: system as JsonValue[] };
}

function toolsOf(raw: unknown[]): { tools: ToolSpec[]; serverTools: JsonObject[] } {
  const tools: ToolSpec[] = [];
  const serverTools: JsonObject[] = [];
  raw.forEach((value, index) => {
    const tool = parse(toolSchema, value, `tools.${index}`);
    if (tool.type && tool.type !== 'custom') {
      serverTools.push(value as JsonObject);
      return;
    }
    const spec: ToolSpec = { name: tool.name };
    if (tool.description) spec.description = tool.description;
    spec.parameters = (tool.input_schema ?? { type: 'object', properties: {} }) as JsonObject;
    tools.push(withOptions(spec, { cacheControl: tool.cache_control as JsonObject | undefined }));
  });
  return { tools, serverTools };
}

/** The anthropic-beta values, from one comma list or repeated headers. */
export function betasOf(headers: WireHeaders): string[] {
  const raw = headers['anthropic-beta'];
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((value) => value.split(','));
  return [...new Set(values.map((value) => value.trim()).filter((value) => BETA_TOKEN.test(value)))];
}

function sessionIdOf(headers: WireHeaders, userId: string | null | undefined): string | undefined {
  for (const candidate of [headers['x-claude-code-session-id'], headers['x-session-id'], userId]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate.length <= 256) return candidate;
  }
  return undefined;
}

function decode(wire: MessagesRequestWire, headers: WireHeaders): DecodedMessages {
  const system = systemOf(wire.system);
  const messages = wire.messages.flatMap((raw, index) => toCanonicalMessages(raw, index));
  const request: ChatRequest = { model: wire.model, messages: system.message ? [system.message, ...messages] : messages };
  const { tools, serverTools } = toolsOf(wire.tools ?? []);
  if (tools.length > 0) request.tools = tools;
  const choice = wire.tool_choice;
  if (choice) {
    request.toolChoice = choice.type === 'tool' ? { name: choice.name as string } : choice.type === 'any' ? 'required' : choice.type;
    if (choice.disable_parallel_tool_use === true) request.parallelToolCalls = false;
  }
  if (typeof wire.max_tokens === 'number') request.maxOutputTokens = wire.max_tokens;
  if (typeof wire.temperature === 'number') request.temperature = Math.min(1, wire.temperature);
  if (typeof wire.top_p === 'number') request.topP = wire.top_p;
  if (typeof wire.top_k === 'number') request.topK = wire.top_k;
  if (wire.stop_sequences && wire.stop_sequences.length > 0) request.stop = wire.stop_sequences;
  const extra: JsonObject = {};
  for (const [name, value] of Object.entries(wire)) {
    if (!KNOWN_FIELDS.has(name) && value !== undefined) extra[name] = value as JsonValue;
  }
  const betas = betasOf(headers);
  const options = anthropicOptions({
    system: system.blocks,
    thinking: wire.thinking as JsonObject | null | undefined,
    metadata: wire.metadata as JsonObject | null | undefined,
    betas: betas.length > 0 ? betas : undefined,
    serverTools: serverTools.length > 0 ? serverTools : undefined,
    body: Object.keys(extra).length > 0 ? extra : undefined,
  });
  if (options) request.providerOptions = options;
  const sessionId = sessionIdOf(headers, wire.metadata?.user_id);
  return { request, stream: wire.stream === true, ...(sessionId ? { sessionId } : {}) };
}

export function decodeMessagesRequest(body: unknown, headers: WireHeaders = {}): DecodedMessages {
  return decode(parse(messagesRequestSchema, body, ''), headers);
}

/** count_tokens: the same body, max_tokens optional, stream ignored. */
export function decodeCountTokensRequest(body: unknown, headers: WireHeaders = {}): ChatRequest {
  return decode(parse(countTokensRequestSchema, body, ''), headers).request;
}
