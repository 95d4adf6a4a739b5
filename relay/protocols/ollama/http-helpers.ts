import type { Request, Response } from 'express';
import { NDJSON_HEADERS } from '../../streams/ndjson-encoder.js';
import { startStream, writeFrames } from '../http-response.js';
import type { CancelSignal } from '../../core/cancellation.js';

/** Response plumbing particular to the Ollama routes; the shared part is in ../http-response.ts. */

export { clientAbortSignal, setRouteHeaders } from '../http-response.js';

/** The conversation id that keeps a chat on one route: `X-Session-ID`, or Open WebUI's chat id. */
export function sessionIdOf(request: Request): string | undefined {
  const value = request.header('x-session-id') ?? request.header('x-openwebui-chat-id');
  return value && value.length <= 256 ? value : undefined;
}

/** Writes NDJSON lines with back-pressure; stops (and so cancels upstream) when the client leaves. */
export async function writeNdjson(response: Response, lines: AsyncIterable<string>, signal: CancelSignal): Promise<void> {
  startStream(response, NDJSON_HEADERS);
  await writeFrames(response, lines, signal);
}
