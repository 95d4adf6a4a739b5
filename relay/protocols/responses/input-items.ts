import type { AssistantMessage, ChatMessage, ContentPart, ToolCall } from '../../core/chat-request.js';
import { invalidRequest } from '../../core/errors.js';
import { NO_STATE, parse } from './validate.js';
import {
  customToolCallItemSchema,
  customToolCallOutputItemSchema,
  functionCallItemSchema,
  functionCallOutputItemSchema,
  MESSAGE_ROLES,
  messageItemSchema,
  reasoningItemSchema,
  type AnyPartWire,
} from './wire-types.js';

/** Input item types that only make sense with OpenAI's hosted tools; dropped with their outputs. */
const HOSTED_CALL_ITEMS = new Set(['local_shell_call', 'web_search_call', 'file_search_call', 'computer_call', 'code_interpreter_call', 'image_generation_call', 'mcp_call']);

// --- content ----------------------------------------------------------------------------------

const DETAILS = new Set(['auto', 'low', 'high']);

function imagePart(part: AnyPartWire, param: string): ContentPart {
  const url = part.image_url;
  if (typeof url !== 'string' || url === '') {
    if (typeof part.file_id === 'string') {
      throw invalidRequest(`'${param}.file_id': this relay keeps no files; send the image as 'image_url' (an https or data: URL).`, `${param}.file_id`);
    }
    throw invalidRequest(`Missing required parameter: '${param}.image_url'.`, `${param}.image_url`);
  }
  if (!/^(https?:|data:image\/)/i.test(url)) {
    throw invalidRequest(`'${param}.image_url' must be an http(s) URL or a data:image/... URL.`, `${param}.image_url`);
  }
  const detail = typeof part.detail === 'string' && DETAILS.has(part.detail) ? (part.detail as 'auto' | 'low' | 'high') : undefined;
  return detail ? { type: 'image', url, detail } : { type: 'image', url };
}

/** Text and image parts, for user messages and tool outputs. */
function contentParts(content: string | AnyPartWire[], param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index): ContentPart => {
    const at = `${param}[${index}]`;
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        if (typeof part.text !== 'string') throw invalidRequest(`Missing required parameter: '${at}.text'.`, `${at}.text`);
        return { type: 'text', text: part.text };
      case 'input_image':
        return imagePart(part, at);
      case 'input_file':
        throw invalidRequest(`'${at}': file inputs are not supported by this relay; send text or images.`, `${at}.type`);
      default:
        throw invalidRequest(`Unsupported content part type '${String(part.type).slice(0, 40)}' at '${at}'.`, `${at}.type`);
    }
  });
}

/** Text only, for system, developer and assistant messages. */
function contentText(content: string | AnyPartWire[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if ((part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') && typeof part.text === 'string') return part.text;
      if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
      throw invalidRequest(`Unsupported content part type '${String(part.type).slice(0, 40)}' at '${param}[${index}]'; only text is allowed here.`, `${param}[${index}].type`);
    })
    .join('');
}

// --- input items ------------------------------------------------------------------------------

/**
 * Input items → canonical messages. Consecutive calls become one assistant message with tool
 * calls (joined to the assistant text right before them); outputs become tool messages; a
 * reasoning item's text rides on the next assistant message, or is dropped when none follows.
 */
export class MessageBuilder {
  readonly messages: ChatMessage[] = [];
  private pendingReasoning: string | undefined;
  private readonly droppedCalls = new Set<string>();

  item(raw: unknown, index: number): void {
    const param = `input[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidRequest(`Invalid type for '${param}': expected an object.`, param);
    const type = (raw as { type?: unknown }).type;
    const role = (raw as { role?: unknown }).role;
    if (type === 'message' || (type === undefined && role !== undefined)) {
      if (typeof role !== 'string' || !(MESSAGE_ROLES as readonly string[]).includes(role)) {
        throw invalidRequest(`Invalid value for '${param}.role'. Supported roles are ${MESSAGE_ROLES.join(', ')}.`, `${param}.role`);
      }
      this.message(parse(messageItemSchema, raw, param), param);
      return;
    }
    switch (type) {
      case 'function_call': {
        const item = parse(functionCallItemSchema, raw, param);
        const args = typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments);
        this.call({ id: item.call_id, name: item.name, arguments: args });
        return;
      }
      case 'custom_tool_call': {
        const item = parse(customToolCallItemSchema, raw, param);
        this.call({ id: item.call_id, name: item.name, arguments: JSON.stringify({ input: item.input }) });
        return;
      }
      case 'function_call_output': {
        const item = parse(functionCallOutputItemSchema, raw, param);
        this.output(item.call_id, contentParts(item.output, `${param}.output`));
        return;
      }
      case 'custom_tool_call_output': {
        const item = parse(customToolCallOutputItemSchema, raw, param);
        this.output(item.call_id, contentParts(item.output, `${param}.output`));
        return;
      }
      case 'reasoning': {
        const item = parse(reasoningItemSchema, raw, param);
        const summary = (item.summary ?? []).map((entry) => entry.text).filter((text) => text !== '');
        const text = (summary.length > 0 ? summary : (item.content ?? []).map((entry) => entry.text)).join('\n\n');
        if (text !== '') this.pendingReasoning = this.pendingReasoning === undefined ? text : `${this.pendingReasoning}\n\n${text}`;
        return;
      }
      case 'item_reference':
        throw invalidRequest(`${NO_STATE}, so '${param}' (an item_reference) cannot be resolved. Send the item itself.`, `${param}.type`);
      default: {
        // Hosted tool calls (local_shell_call, web_search_call, ...), compaction and unknown items are
        // skipped; so are the outputs of skipped calls, which no upstream could match to a call.
        const id = (raw as { call_id?: unknown }).call_id;
        if (typeof type === 'string' && HOSTED_CALL_ITEMS.has(type) && typeof id === 'string') this.droppedCalls.add(id);
        return;
      }
    }
  }

  private takeReasoning(): { reasoning?: string } {
    const reasoning = this.pendingReasoning;
    this.pendingReasoning = undefined;
    return reasoning === undefined ? {} : { reasoning };
  }

  private message(item: ReturnType<typeof messageItemSchema.parse>, param: string): void {
    const at = `${param}.content`;
    switch (item.role) {
      case 'system':
      case 'developer':
        // Many upstreams reject `developer`; it means the same as `system` to them.
        this.messages.push({ role: 'system', content: contentText(item.content, at) });
        this.pendingReasoning = undefined;
        return;
      case 'user':
        this.messages.push({ role: 'user', content: contentParts(item.content, at) });
        this.pendingReasoning = undefined;
        return;
      case 'assistant': {
        const text = contentText(item.content, at);
        this.messages.push({ role: 'assistant', content: text === '' ? [] : [{ type: 'text', text }], ...this.takeReasoning() });
        return;
      }
    }
  }

  private call(call: ToolCall): void {
    const last = this.messages.at(-1);
    if (last?.role === 'assistant') {
      const assistant: AssistantMessage = last;
      assistant.toolCalls = [...(assistant.toolCalls ?? []), call];
      const { reasoning } = this.takeReasoning();
      if (reasoning !== undefined) assistant.reasoning = assistant.reasoning === undefined ? reasoning : `${assistant.reasoning}\n\n${reasoning}`;
      return;
    }
    this.messages.push({ role: 'assistant', content: [], toolCalls: [call], ...this.takeReasoning() });
  }

  private output(callId: string, content: ContentPart[]): void {
    if (this.droppedCalls.has(callId)) return;
    this.messages.push({ role: 'tool', toolCallId: callId, content });
    this.pendingReasoning = undefined;
  }
}
