import type { AssistantMessage, ChatRequest, ContentPart, JsonObject, JsonValue, ProviderOptions } from '../../core/chat-request.js';
import type { RequestQuirks } from '../provider.js';

/**
 * ChatRequest → an Anthropic Messages body, always streamed. Reads the `anthropic` provider
 * options the Anthropic wire writes (raw system blocks, cache_control, signed thinking, thinking
 * config, metadata, betas, server tools, unknown top-level fields), so Anthropic in → Anthropic
 * out loses nothing the canonical request cannot hold. Thinking without an Anthropic signature
 * (reasoning from another upstream) is never sent: Anthropic would reject a forged block.
 */

/** When the client set no limit; Anthropic requires one and current Claude models allow far more. */
export const DEFAULT_MAX_TOKENS = 8192;

/** Fields the relay sets itself; never overwritten by passthrough fields. */
const OWN_FIELDS = new Set(['model', 'messages', 'stream', 'max_tokens', 'system', 'tools', 'tool_choice', 'thinking', 'metadata']);
const TOOL_ID = /[^A-Za-z0-9_-]/g;
const BETA_TOKEN = /^[A-Za-z0-9._-]{1,128}$/;

type Block = JsonObject;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

function anthropic(options: ProviderOptions | undefined): JsonObject {
  return options?.anthropic ?? {};
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function asArray(value: JsonValue | undefined): JsonValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** Anthropic accepts tool ids of [A-Za-z0-9_-] only; the same rewrite on call and result keeps them paired. */
export function anthropicToolId(id: string): string {
  const clean = id.replace(TOOL_ID, '_');
  return clean === '' ? 'toolu_empty' : clean;
}

function withCache(block: Block, options: ProviderOptions | undefined): Block {
  const cache = asObject(anthropic(options).cacheControl);
  return cache ? { ...block, cache_control: cache } : block;
}

function imageBlock(url: string): Block | undefined {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1] ?? 'image/png', data: data[2] ?? '' } };
  return /^https?:\/\//i.test(url) ? { type: 'image', source: { type: 'url', url } } : undefined;
}

function contentBlocks(parts: readonly ContentPart[]): Block[] {
  const blocks: Block[] = [];
  for (const part of parts) {
    const original = asObject(anthropic(part.providerOptions).block);
    if (original) {
      blocks.push(original);
      continue;
    }
    // Anthropic rejects empty text blocks.
    const block = part.type === 'text' ? (part.text === '' ? undefined : { type: 'text', text: part.text }) : imageBlock(part.url);
    if (block) blocks.push(withCache(block, part.providerOptions));
  }
  return blocks;
}

function parseArguments(text: string): JsonObject {
  try {
    const value = JSON.parse(text) as JsonValue;
    return asObject(value) ?? {};
  } catch {
    return {};
  }
}

function assistantBlocks(message: AssistantMessage): Block[] {
  // Signed thinking first (Anthropic requires it to lead the turn), then text, then tool calls.
  const thinking = (asArray(anthropic(message.providerOptions).thinking) ?? []).map(asObject).filter((block): block is Block => block !== undefined);
  const text = contentBlocks(message.content);
  const calls = (message.toolCalls ?? []).map((call): Block => ({ type: 'tool_use', id: anthropicToolId(call.id), name: call.name, input: parseArguments(call.arguments) }));
  return [...thinking, ...text, ...calls];
}

/** Messages as alternating turns: tool results merge into one user turn, ahead of any user text. */
function turnsOf(request: ChatRequest): { turns: Turn[]; system: string[] } {
  const turns: Turn[] = [];
  const system: string[] = [];
  const push = (role: Turn['role'], blocks: Block[], toolResults = false) => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role !== role) {
      turns.push({ role, content: blocks });
      return;
    }
    if (!toolResults) {
      last.content.push(...blocks);
      return;
    }
    const firstOther = last.content.findIndex((block) => block.type !== 'tool_result');
    last.content.splice(firstOther < 0 ? last.content.length : firstOther, 0, ...blocks);
  };
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        // Anthropic has one system slot; system messages anywhere fold into it, in order.
        if (message.content !== '') system.push(message.content);
        break;
      case 'user':
        push('user', contentBlocks(message.content));
        break;
      case 'assistant':
        push('assistant', assistantBlocks(message));
        break;
      case 'tool': {
        const content = contentBlocks(message.content);
        const result: Block = { type: 'tool_result', tool_use_id: anthropicToolId(message.toolCallId) };
        // Plain text goes as a string, the common form; blocks only when there is more to say.
        const only = content.length === 1 ? content[0] : undefined;
        if (only?.type === 'text' && only.cache_control === undefined) result.content = only.text ?? '';
        else if (content.length > 0) result.content = content;
        if (message.isError) result.is_error = true;
        push('user', [withCache(result, message.providerOptions)], true);
        break;
      }
    }
  }
  return { turns, system };
}

/**
 * Thinking may stay on only if the tool loop in progress began with signed thinking: Anthropic
 * rejects a thinking request whose last assistant turn used tools without a thinking block,
 * which happens when earlier turns came from another upstream.
 */
function thinkingAllowed(turns: readonly Turn[]): boolean {
  const last = [...turns].reverse().find((turn) => turn.role === 'assistant');
  if (!last || !last.content.some((block) => block.type === 'tool_use')) return true;
  return last.content[0]?.type === 'thinking' || last.content[0]?.type === 'redacted_thinking';
}

function toolChoiceOf(request: ChatRequest): JsonObject | undefined {
  const choice = request.toolChoice;
  let out: JsonObject | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice !== undefined) out = { type: 'tool', name: choice.name };
  if (request.parallelToolCalls === false && out?.type !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

export function convertRequest(request: ChatRequest, model: string, quirks: RequestQuirks = {}): JsonObject {
  const options = anthropic(request.providerOptions);
  const { turns, system } = turnsOf(request);
  const body: JsonObject = {
    model,
    messages: turns.map((turn) => ({ role: turn.role, content: turn.content })),
    max_tokens: request.maxOutputTokens ?? quirks.defaultMaxOutputTokens ?? DEFAULT_MAX_TOKENS,
    stream: true,
  };
  const rawSystem = asArray(options.system);
  if (rawSystem) body.system = rawSystem;
  else if (system.length > 0) body.system = system.join('\n\n');

  const tools: JsonValue[] = (request.tools ?? []).map((tool) => {
    const out: Block = { name: tool.name, input_schema: tool.parameters ?? { type: 'object', properties: {} } };
    if (tool.description !== undefined) out.description = tool.description;
    return withCache(out, tool.providerOptions);
  });
  tools.push(...(asArray(options.serverTools) ?? []));
  if (tools.length > 0) {
    body.tools = tools;
    const choice = toolChoiceOf(request);
    if (choice) body.tool_choice = choice;
  }
  // Anthropic's temperature range is 0-1; OpenAI clients may send up to 2.
  if (request.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, request.temperature));
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;

  const metadata = asObject(options.metadata) ?? (request.user !== undefined ? { user_id: request.user } : undefined);
  if (metadata) body.metadata = metadata;
  const thinking = asObject(options.thinking);
  if (thinking && (thinking.type === 'disabled' || thinking.type === undefined || thinkingAllowed(turns))) body.thinking = thinking;
  for (const [name, value] of Object.entries(asObject(options.body) ?? {})) {
    if (!OWN_FIELDS.has(name) && !(name in body)) body[name] = value;
  }
  return body;
}

/** The anthropic-beta header the client sent, for an Anthropic upstream only. */
export function betaHeader(request: ChatRequest): string | undefined {
  const betas = (asArray(anthropic(request.providerOptions).betas) ?? []).filter((beta): beta is string => typeof beta === 'string' && BETA_TOKEN.test(beta));
  return betas.length > 0 ? betas.join(',') : undefined;
}
