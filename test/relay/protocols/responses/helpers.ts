/** Small helpers for the Responses wire tests. */
import type { ResponseContext } from '../../../../relay/protocols/responses/response-object.js';

export interface SseFrame {
  event: string | undefined;
  data: any;
}

/** An SSE body as `{event, data}` frames, `data` parsed as JSON (comments and blank lines dropped). */
export function sseFrames(text: string): SseFrame[] {
  return text
    .split(/\n\n/)
    .map((block) => block.trim())
    .filter((block) => block.split('\n').some((line) => line.startsWith('data:')))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}

/** The context a request with no settings would produce, plus the given custom tools. */
export function plainContext(customTools: string[] = []): ResponseContext {
  return {
    customTools: new Set(customTools),
    echo: {
      instructions: null,
      tools: [],
      toolChoice: 'auto',
      parallelToolCalls: true,
      temperature: null,
      topP: null,
      maxOutputTokens: null,
      reasoning: null,
      textFormat: { type: 'text' },
      metadata: {},
      promptCacheKey: null,
      user: null,
    },
  };
}

/** Deterministic item ids (`msg_1`, `fc_2`, ...) for recorded shapes. */
export function counterIds(): (prefix: string) => string {
  let next = 0;
  return (prefix) => `${prefix}_${++next}`;
}

export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collectText(frames: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const frame of frames) text += frame;
  return text;
}
