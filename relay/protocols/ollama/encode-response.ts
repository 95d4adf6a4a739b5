import type { EmbeddingResult } from '../../core/relay-service.js';
import type { StreamEvent } from '../../core/stream-event.js';
import { ollamaChunks, type OllamaChunk, type OllamaEncodingOptions } from './encode-stream.js';

/**
 * A non-streaming answer: one object shaped like the final `done:true` object, with the whole
 * message (or `response`). Built from the same objects a stream would carry, so both paths agree;
 * a failure is thrown before anything is sent, and becomes an `{error}` with a real status.
 */
export async function collectOllamaResponse(events: AsyncIterable<StreamEvent>, options: OllamaEncodingOptions): Promise<OllamaChunk> {
  let content = '';
  let thinking = '';
  const toolCalls: unknown[] = [];
  let final: OllamaChunk | undefined;
  for await (const chunk of ollamaChunks(events, options)) {
    if (chunk.done === true) {
      final = chunk;
      break;
    }
    const part = (options.kind === 'chat' ? chunk.message : chunk) as { content?: string; response?: string; thinking?: string; tool_calls?: unknown[] };
    content += part.content ?? part.response ?? '';
    thinking += part.thinking ?? '';
    toolCalls.push(...(part.tool_calls ?? []));
  }
  // ollamaChunks either ends with the done object or throws.
  const done = final ?? {};
  if (options.kind === 'chat') {
    const message: Record<string, unknown> = { role: 'assistant', content };
    if (thinking !== '') message.thinking = thinking;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return { ...done, message };
  }
  const { model, created_at: createdAt, response: _response, ...rest } = done;
  return { model, created_at: createdAt, response: content, ...(thinking === '' ? {} : { thinking }), ...rest };
}

/** The answer to a call that only loads (or, with `keep_alive: 0`, unloads) a model. */
export function encodeLoadResponse(kind: 'chat' | 'generate', model: string, createdAt: string, unload: boolean): OllamaChunk {
  const body = kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' };
  return { model, created_at: createdAt, ...body, done_reason: unload ? 'unload' : 'load', done: true };
}

/** `/api/embed`: every vector, with Ollama's timing fields in nanoseconds. */
export function encodeEmbedResponse(model: string, result: Pick<EmbeddingResult, 'vectors' | 'inputTokens'>, durationMs: number): OllamaChunk {
  return {
    model,
    embeddings: result.vectors,
    total_duration: Math.max(0, Math.round(durationMs * 1e6)),
    load_duration: 0,
    prompt_eval_count: result.inputTokens,
  };
}

/** Legacy `/api/embeddings`: one vector (empty when the prompt was). */
export function encodeEmbeddingsResponse(result: Pick<EmbeddingResult, 'vectors'> | undefined): OllamaChunk {
  return { embedding: result?.vectors[0] ?? [] };
}
