import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { AttemptRecord, RouteInfo, RoutingDecision } from '../../core/relay-service.js';
import { NDJSON_HEADERS } from '../../streams/ndjson-encoder.js';

/**
 * Response plumbing for the Ollama routes. The OpenAI wire has the same few helpers; protocols
 * never import each other, so these small ones live here.
 */

/** Aborts when the client goes away before the response is complete. */
export function clientAbortSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

/** The headers that say which route served a request; the key appears by label only. */
export function setRouteHeaders(response: Response, route: RouteInfo | undefined, attempts: readonly AttemptRecord[], decision?: RoutingDecision): void {
  if (response.headersSent) return;
  if (decision?.pin) response.setHeader('x-switchboard-pin', decision.pin.honoured ? 'pinned' : 'fallback');
  if (route) {
    response.setHeader('x-switchboard-provider', headerSafe(route.provider));
    response.setHeader('x-switchboard-model', headerSafe(route.model));
    if (route.keyLabel) response.setHeader('x-switchboard-key', headerSafe(route.keyLabel));
  }
  response.setHeader('x-switchboard-attempts', String(attempts.length));
}

/** The conversation id that keeps a chat on one route: `X-Session-ID`, or Open WebUI's chat id. */
export function sessionIdOf(request: Request): string | undefined {
  const value = request.header('x-session-id') ?? request.header('x-openwebui-chat-id');
  return value && value.length <= 256 ? value : undefined;
}

/** Writes NDJSON lines with back-pressure; stops (and so cancels upstream) when the client leaves. */
export async function writeNdjson(response: Response, lines: AsyncIterable<string>, signal: AbortSignal): Promise<void> {
  response.writeHead(200, NDJSON_HEADERS);
  response.flushHeaders();
  for await (const line of lines) {
    if (signal.aborted) break;
    if (!response.write(line)) {
      try {
        await once(response, 'drain', { signal });
      } catch {
        break;
      }
    }
  }
  response.end();
}
