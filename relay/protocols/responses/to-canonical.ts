import type { ChatMessage, ChatRequest, JsonObject, ToolChoice, ToolSpec } from '../../core/chat-request.js';
import { invalidRequest } from '../../core/errors.js';
import { MessageBuilder } from './input-items.js';
import type { ResponseContext, ResponseEcho } from './response-object.js';
import { NO_STATE, parse } from './validate.js';
import {
  customToolSchema,
  functionToolSchema,
  responsesRequestSchema,
  type CustomToolWire,
  type ResponsesRequestWire,
  type ToolChoiceWire,
} from './wire-types.js';

export interface DecodedResponses {
  request: ChatRequest;
  stream: boolean;
  context: ResponseContext;
  /** Codex sends its conversation id here; used for route affinity when no session header came. */
  promptCacheKey: string | undefined;
}

/** Refuses what needs state the relay does not keep, with a message that says what to send instead. */
function refuseStatefulFields(wire: ResponsesRequestWire): void {
  if (typeof wire.previous_response_id === 'string' && wire.previous_response_id !== '') {
    throw invalidRequest(
      `${NO_STATE}, so 'previous_response_id' cannot be resolved. Send the whole conversation in 'input' instead (Codex does this with store: false).`,
      'previous_response_id',
      'previous_response_not_found',
    );
  }
  if (wire.conversation !== undefined && wire.conversation !== null) {
    throw invalidRequest(`${NO_STATE}, so 'conversation' cannot be used. Send the whole conversation in 'input' instead.`, 'conversation');
  }
  if (wire.background === true) {
    throw invalidRequest(`${NO_STATE}, so 'background' responses cannot be polled. Use stream: true or wait for the answer.`, 'background');
  }
  if (wire.prompt !== undefined && wire.prompt !== null) {
    throw invalidRequest("Stored prompt templates ('prompt') are not supported by this relay; send 'instructions' and 'input' instead.", 'prompt');
  }
}

// --- tools ------------------------------------------------------------------------------------

const MAX_GRAMMAR_CHARS = 8000;

/** A freeform tool as a function with one string parameter, so any chat upstream can call it. */
function customToolSpec(tool: CustomToolWire): ToolSpec {
  let inputDescription = 'The complete raw input for this tool as plain text; it is passed to the tool verbatim.';
  const format = tool.format;
  if (format?.type === 'grammar' && typeof format.definition === 'string' && format.definition.length <= MAX_GRAMMAR_CHARS) {
    inputDescription += `\nThe input must match this ${format.syntax ?? ''} grammar:\n${format.definition}`;
  }
  return {
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    parameters: {
      type: 'object',
      properties: { input: { type: 'string', description: inputDescription } },
      required: ['input'],
      additionalProperties: false,
    },
  };
}

interface DecodedTools {
  specs: ToolSpec[];
  customTools: Set<string>;
  /** The client's tools minus the hosted ones the relay dropped, for the response echo. */
  kept: unknown[];
}

function decodeTools(tools: ResponsesRequestWire['tools']): DecodedTools {
  const decoded: DecodedTools = { specs: [], customTools: new Set(), kept: [] };
  (tools ?? []).forEach((raw, index) => {
    const param = `tools[${index}]`;
    if (raw.type === 'function') {
      const tool = parse(functionToolSchema, raw, param);
      decoded.specs.push({
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters as JsonObject } : {}),
        ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
      });
      decoded.kept.push(raw);
    } else if (raw.type === 'custom') {
      const tool = parse(customToolSchema, raw, param);
      decoded.specs.push(customToolSpec(tool));
      decoded.customTools.add(tool.name);
      decoded.kept.push(raw);
    }
    // Hosted tools (local_shell, web_search, file_search, ...) need OpenAI's servers: dropped.
  });
  return decoded;
}

/** tool_choice → canonical; `allowed_tools` also narrows the tool list. Hosted-tool choices are dropped. */
function decodeToolChoice(choice: ToolChoiceWire | null | undefined, tools: ToolSpec[]): { choice?: ToolChoice; tools: ToolSpec[] } {
  if (choice === null || choice === undefined) return { tools };
  if (typeof choice === 'string') return { choice, tools };
  if ((choice.type === 'function' || choice.type === 'custom') && choice.name) return { choice: { name: choice.name }, tools };
  if (choice.type === 'allowed_tools' && choice.tools) {
    const allowed = new Set(choice.tools.map((tool) => tool.name).filter((name): name is string => typeof name === 'string'));
    return { choice: choice.mode ?? 'auto', tools: tools.filter((tool) => allowed.has(tool.name)) };
  }
  return { tools };
}

// --- the request ------------------------------------------------------------------------------

export function decodeResponsesRequest(body: unknown): DecodedResponses {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) refuseStatefulFields(body as ResponsesRequestWire);
  const wire = parse(responsesRequestSchema, body, '');

  const tools = decodeTools(wire.tools);
  const builder = new MessageBuilder();
  if (typeof wire.input === 'string') builder.messages.push({ role: 'user', content: [{ type: 'text', text: wire.input }] });
  else wire.input.forEach((item, index) => builder.item(item, index));

  const messages: ChatMessage[] = [];
  if (wire.instructions) messages.push({ role: 'system', content: wire.instructions });
  messages.push(...builder.messages);
  if (!messages.some((message) => message.role !== 'system')) {
    throw invalidRequest("'input' must contain at least one message or tool output the relay can forward.", 'input');
  }

  const request: ChatRequest = { model: wire.model, messages };
  const { choice, tools: offered } = decodeToolChoice(wire.tool_choice, tools.specs);
  if (offered.length > 0) {
    request.tools = offered;
    if (choice !== undefined) request.toolChoice = choice;
    if (typeof wire.parallel_tool_calls === 'boolean') request.parallelToolCalls = wire.parallel_tool_calls;
  }
  if (typeof wire.max_output_tokens === 'number') request.maxOutputTokens = wire.max_output_tokens;
  if (typeof wire.temperature === 'number') request.temperature = wire.temperature;
  if (typeof wire.top_p === 'number') request.topP = wire.top_p;
  if (wire.reasoning?.effort) request.reasoningEffort = wire.reasoning.effort;
  if (wire.user !== undefined) request.user = wire.user;
  const format = wire.text?.format;
  if (format?.type === 'json_object') request.responseFormat = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    request.responseFormat = {
      type: 'json_schema',
      name: format.name,
      schema: format.schema as JsonObject,
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
      ...(format.description ? { description: format.description } : {}),
    };
  }

  const echo: ResponseEcho = {
    instructions: wire.instructions ?? null,
    tools: tools.kept,
    toolChoice: wire.tool_choice ?? 'auto',
    parallelToolCalls: wire.parallel_tool_calls ?? true,
    temperature: wire.temperature ?? null,
    topP: wire.top_p ?? null,
    maxOutputTokens: wire.max_output_tokens ?? null,
    reasoning: wire.reasoning ? { effort: wire.reasoning.effort ?? null, summary: wire.reasoning.summary ?? null } : null,
    textFormat: format ?? { type: 'text' },
    metadata: wire.metadata ?? {},
    promptCacheKey: wire.prompt_cache_key ?? null,
    user: wire.user ?? null,
  };
  return {
    request,
    stream: wire.stream === true,
    context: { customTools: tools.customTools, echo },
    promptCacheKey: wire.prompt_cache_key ?? undefined,
  };
}
