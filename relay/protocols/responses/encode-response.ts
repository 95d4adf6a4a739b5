import type { ChatResponse } from '../../core/chat-response.js';
import {
  customToolCallItem,
  customToolInput,
  functionCallItem,
  itemIdMaker,
  messageItem,
  reasoningItem,
  responseEnvelope,
  terminalStatus,
  type ResponseContext,
  type ResponseIdentity,
} from './response-object.js';

/**
 * A collected answer as one Responses `response` object: a reasoning item, then the message, then
 * one item per tool call (a `custom_tool_call` for the client's freeform tools). `output_text` is
 * not a wire field; the SDKs compute it from the message items.
 */
export function encodeResponse(response: ChatResponse, identity: ResponseIdentity, context: ResponseContext): Record<string, unknown> {
  const newId = itemIdMaker(identity);
  const { status, incompleteDetails } = terminalStatus(response.finishReason);
  const output: Array<Record<string, unknown>> = [];
  if (response.reasoning !== '') output.push(reasoningItem(newId('rs'), response.reasoning));
  if (response.text !== '') output.push(messageItem(newId('msg'), response.text, status));
  for (const call of response.toolCalls) {
    output.push(
      context.customTools.has(call.name)
        ? customToolCallItem(newId('ctc'), call.id, call.name, customToolInput(call.arguments), 'completed')
        : functionCallItem(newId('fc'), call.id, call.name, call.arguments, 'completed'),
    );
  }
  return responseEnvelope(identity, context, { status, incompleteDetails, model: response.model, output, usage: response.usage });
}
