import type { ChatMessage, ChatRequest, ContentPart, JsonObject } from '../../core/chat-request.js';
import type { RequestQuirks } from '../provider.js';

/** Fields never forwarded to any upstream: they would redirect keys or mix identities. */
const NEVER_FORWARD = new Set(['api_base', 'base_url', 'baseURL', 'api_key', 'apiKey', 'model', 'messages', 'stream']);

/** Fields that only OpenAI itself understands; other upstreams reject some of them. */
const OPENAI_ONLY = ['store', 'metadata', 'service_tier', 'prediction', 'modalities', 'audio', 'prompt_cache_key', 'safety_identifier'];

/**
 * ChatRequest → the OpenAI chat-completions body for one upstream model. Always streams: the
 * relay reads every upstream as a stream and collects it for non-streaming clients.
 */
export function convertRequest(request: ChatRequest, model: string, quirks: RequestQuirks): JsonObject {
  const mapId = quirks.toolCallIdLength ? toolIdMapper(quirks.toolCallIdLength) : (id: string) => id;
  const body: JsonObject = {};

  if (request.extraBody) {
    for (const [name, value] of Object.entries(request.extraBody)) {
      if (!NEVER_FORWARD.has(name)) body[name] = value;
    }
  }

  body.model = model;
  // Reasoning goes back only to upstreams that need it inside a tool loop (DeepSeek); strict
  // upstreams reject the unknown field, and outside the loop it only costs tokens.
  const lastUser = request.messages.map((message) => message.role).lastIndexOf('user');
  body.messages = request.messages.map((message, index) =>
    convertMessage(message, quirks, mapId, quirks.reasoningInToolLoop === true && index > lastUser),
  );
  body.stream = true;
  body.stream_options = { include_usage: true };

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: JsonObject = { name: tool.name };
      if (tool.description !== undefined) fn.description = tool.description;
      fn.parameters = tool.parameters ?? { type: 'object', properties: {} };
      if (tool.strict !== undefined) fn.strict = tool.strict;
      return { type: 'function', function: fn };
    });
    if (request.toolChoice !== undefined) {
      body.tool_choice =
        typeof request.toolChoice === 'string'
          ? request.toolChoice
          : { type: 'function', function: { name: request.toolChoice.name } };
    }
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }

  const maxTokens = clampMaxTokens(request.maxOutputTokens, quirks.defaultMaxOutputTokens);
  if (maxTokens !== undefined) {
    if (quirks.useMaxTokens) body.max_tokens = maxTokens;
    else body.max_completion_tokens = maxTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body[quirks.seedField ?? 'seed'] = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort;
  if (request.user !== undefined) body.user = request.user;
  if (request.responseFormat !== undefined && request.responseFormat.type !== 'text') {
    const format = request.responseFormat;
    body.response_format =
      format.type === 'json_object'
        ? { type: 'json_object' }
        : {
            type: 'json_schema',
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.strict === undefined ? {} : { strict: format.strict }),
              ...(format.description === undefined ? {} : { description: format.description }),
            },
          };
  }

  for (const field of [...OPENAI_ONLY, ...(quirks.dropFields ?? [])]) delete body[field];
  if (quirks.useMaxTokens && 'max_completion_tokens' in body) {
    body.max_tokens ??= body.max_completion_tokens ?? null;
    delete body.max_completion_tokens;
  }
  return body;
}

function clampMaxTokens(asked: number | undefined, cap: number | undefined): number | undefined {
  if (asked === undefined) return cap;
  return cap === undefined ? asked : Math.min(asked, cap);
}

function convertMessage(message: ChatMessage, quirks: RequestQuirks, mapId: (id: string) => string, keepReasoning: boolean): JsonObject {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user': {
      const out: JsonObject = { role: 'user', content: convertContent(message.content) };
      if (message.name !== undefined && !quirks.dropMessageName) out.name = message.name;
      return out;
    }
    case 'assistant': {
      const text = message.content.map((part) => part.text).join('');
      const out: JsonObject = { role: 'assistant', content: text === '' && message.toolCalls?.length ? null : text };
      if (message.toolCalls && message.toolCalls.length > 0) {
        out.tool_calls = message.toolCalls.map((call) => ({
          id: mapId(call.id),
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      if (message.reasoning !== undefined && keepReasoning && message.toolCalls?.length) out.reasoning_content = message.reasoning;
      if (message.name !== undefined && !quirks.dropMessageName) out.name = message.name;
      return out;
    }
    case 'tool': {
      const text = message.content
        .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
        .map((part) => part.text)
        .join('');
      return { role: 'tool', tool_call_id: mapId(message.toolCallId), content: text };
    }
  }
}

function convertContent(parts: ContentPart[]): string | JsonObject[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part as { text: string }).text).join('');
  return parts.map((part): JsonObject => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const image: JsonObject = { url: part.url };
    if (part.detail) image.detail = part.detail;
    return { type: 'image_url', image_url: image };
  });
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Some upstreams (Mistral) accept only short alphanumeric tool-call ids. The rewrite is a pure
 * function of the id, so the assistant's call and the later tool result map to the same value
 * on every turn, and ids already in the accepted form pass unchanged.
 */
function toolIdMapper(length: number): (id: string) => string {
  const valid = new RegExp(`^[A-Za-z0-9]{${length}}$`);
  return (id) => {
    if (valid.test(id)) return id;
    let hash1 = 0x811c9dc5;
    let hash2 = 0x01000193;
    for (let index = 0; index < id.length; index++) {
      const code = id.charCodeAt(index);
      hash1 = Math.imul(hash1 ^ code, 0x01000193) >>> 0;
      hash2 = Math.imul(hash2 + code, 0x5bd1e995) >>> 0;
    }
    let out = '';
    let state = hash1 * 4294967296 + hash2;
    for (let index = 0; index < length; index++) {
      out += BASE62[state % 62];
      state = Math.floor(state / 62) + (index === 5 ? hash1 : 0);
    }
    return out;
  };
}
