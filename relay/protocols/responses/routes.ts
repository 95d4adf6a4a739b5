import express, { type Request, type Response, type Router } from 'express';
import { collectResponse } from '../../core/collect.js';
import { RelayError } from '../../core/errors.js';
import { randomId } from '../../core/ids.js';
import type { RelayService } from '../../core/relay-service.js';
import { clientAbortSignal, setRouteHeaders, startStream, writeFrames } from '../http-response.js';
import { SSE_HEADERS } from '../../streams/sse-encoder.js';
import { encodeResponse } from './encode-response.js';
import { encodeResponseStream } from './encode-stream.js';
import { responseId } from './response-object.js';
import { decodeResponsesRequest } from './to-canonical.js';
import type { CancelSignal } from '../../core/cancellation.js';

/** Writes SSE frames with back-pressure; stops (and cancels upstream) when the client leaves. */
async function writeStream(response: Response, frames: AsyncIterable<string>, signal: CancelSignal): Promise<void> {
  startStream(response, SSE_HEADERS);
  await writeFrames(response, frames, signal);
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
    setRouteHeaders(response, result.route, result.attempts, result.pin);
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
