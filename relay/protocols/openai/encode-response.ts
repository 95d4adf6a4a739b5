import type { ChatResponse } from '../../core/chat-response.js';
import type { EmbeddingResult } from '../../core/relay-service.js';
import { openAiFinishReason, usageWire } from './encode-stream.js';

const emptyUsage = { inputTokens: 0, outputTokens: 0 };

export function encodeChatResponse(response: ChatResponse, id: string, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: response.text === '' && response.toolCalls.length > 0 ? null : response.text, refusal: null };
  if (response.toolCalls.length > 0) {
    message.tool_calls = response.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  if (response.reasoning !== '') message.reasoning_content = response.reasoning;
  return {
    id,
    object: 'chat.completion',
    created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openAiFinishReason(response.finishReason) }],
    usage: usageWire(response.usage ?? emptyUsage),
  };
}

export function encodeCompletionResponse(response: ChatResponse, id: string, created: number, echoPrompt: string | undefined): Record<string, unknown> {
  return {
    id,
    object: 'text_completion',
    created,
    model: response.model,
    choices: [{ index: 0, text: `${echoPrompt ?? ''}${response.text}`, logprobs: null, finish_reason: openAiFinishReason(response.finishReason) }],
    usage: usageWire(response.usage ?? emptyUsage),
  };
}

/** Base64 is little-endian float32, what openai-node decodes by default. */
export function encodeEmbeddingResponse(result: EmbeddingResult, encoding: 'float' | 'base64'): Record<string, unknown> {
  return {
    object: 'list',
    data: result.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? floatsToBase64(vector) : vector,
    })),
    model: result.model,
    usage: { prompt_tokens: result.inputTokens, total_tokens: result.inputTokens },
  };
}

function floatsToBase64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => buffer.writeFloatLE(value, index * 4));
  return buffer.toString('base64');
}
