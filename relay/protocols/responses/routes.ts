import { once } from 'node:events';
import express, { type Request, type Response, type Router } from 'express';
import { collectResponse } from '../../core/collect.js';
import { RelayError } from '../../core/errors.js';
import { randomId } from '../../core/ids.js';
import type { AttemptRecord, RelayService, RouteInfo, RoutingDecision } from '../../core/relay-service.js';
import { SSE_HEADERS } from '../../streams/sse-encoder.js';
import { encodeResponse } from './encode-response.js';
import { encodeResponseStream } from './encode-stream.js';
import { responseId } from './response-object.js';
import { decodeResponsesRequest } from './to-canonical.js';

// The three helpers below repeat the OpenAI wire's (protocols never import each other).

/** Aborts when the client goes away before the response is complete. */
function clientAbortSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The headers that say which route served a request; the key appears by label only. */
function setRouteHeaders(response: Response, route: RouteInfo, attempts: readonly AttemptRecord[], decision?: RoutingDecision): void {
  if (response.headersSent) return;
  if (decision?.pin) response.setHeader('x-switchboard-pin', decision.pin.honoured ? 'pinned' : 'fallback');
  response.setHeader('x-switchboard-provider', route.provider);
  response.setHeader('x-switchboard-model', headerSafe(route.model));
  if (route.keyLabel) response.setHeader('x-switchboard-key', headerSafe(route.keyLabel));
  response.setHeader('x-switchboard-attempts', String(attempts.length));
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

/** Writes SSE frames with back-pressure; stops (and cancels upstream) when the client leaves. */
async function writeStream(response: Response, frames: AsyncIterable<string>, signal: AbortSignal): Promise<void> {
  response.writeHead(200, SSE_HEADERS);
  response.flushHeaders();
  for await (const frame of frames) {
    if (signal.aborted) break;
    if (!response.write(frame)) {
      try {
        await once(response, 'drain', { signal });
      } catch {
        break;
      }
    }
  }
  response.end();
}

/**
 * The conversation id for route affinity: Codex's `session_id` header, the relay's usual
 * `X-Session-ID`, else the body's `prompt_cache_key` (Codex sets it to the conversation id).
 */
function sessionIdOf(request: Request, promptCacheKey: string | undefined): string | undefined {
  for (const value of [request.header('session_id'), request.header('x-session-id'), promptCacheKey]) {
    if (value && value.length <= 256) return value;
  }
  return undefined;
}

/** The OpenAI Responses wire (what Codex CLI speaks), with and without `/v1`. No response is stored. */
export function responsesRoutes(service: RelayService): Router {
  const router = express.Router();

  router.post(['/v1/responses', '/responses'], async (request, response) => {
    const decoded = decodeResponsesRequest(request.body);
    const signal = clientAbortSignal(response);
    const sessionId = sessionIdOf(request, decoded.promptCacheKey);
    const result = await service.chat(decoded.request, {
      signal,
      clientWire: 'responses',
      requestId: String(response.locals.requestId ?? randomId()),
      ...(sessionId ? { sessionId } : {}),
    });
    setRouteHeaders(response, result.route, result.attempts, result.decision);
    const identity = { id: responseId(), createdAt: Math.floor(Date.now() / 1000) };
    if (decoded.stream) {
      await writeStream(response, encodeResponseStream(result.events, { ...identity, context: decoded.context }), signal);
      return;
    }
    response.json(encodeResponse(await collectResponse(result.events), identity, decoded.context));
  });

  // Retrieve, delete, cancel, input items: all need stored responses, and none are kept.
  router.all(['/v1/responses/*rest', '/responses/*rest'], (request) => {
    const endpoint = `${request.method} ${request.path.slice(0, 200)}`;
    throw new RelayError(`Unknown endpoint: ${endpoint}. This relay serves POST /v1/responses only and keeps no response state, so stored responses cannot be retrieved, cancelled or deleted.`, {
      status: 404,
      kind: 'not-found',
      code: 'response_not_found',
    });
  });

  return router;
}
