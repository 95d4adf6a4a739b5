import express, { type Request, type Response, type Router } from 'express';
import { collectResponse } from '../../core/collect.js';
import { RelayError } from '../../core/errors.js';
import { completionId, randomId } from '../../core/ids.js';
import type { ModelListing, RelayService } from '../../core/relay-service.js';
import { clientAbortSignal, sendJson, setRouteHeaders, startStream, writeEvents, writeFrames } from '../http-response.js';
import type { StreamEvent } from '../../core/stream-event.js';
import { SSE_HEADERS } from '../../streams/sse-encoder.js';
import { encodeChatResponse, encodeCompletionResponse, encodeEmbeddingResponse } from './encode-response.js';
import { OpenAiStreamEncoder, type StreamEncodingOptions } from './encode-stream.js';
import { decodeChatRequest, decodeCompletionRequest, decodeEmbeddingRequest } from './to-canonical.js';
import type { CancelSignal } from '../../core/cancellation.js';

/** The conversation id a client sends to keep its conversation on one route (`X-Session-ID`). */
export function sessionIdOf(request: Request): string | undefined {
  const value = request.header('x-session-id');
  return value && value.length <= 256 ? value : undefined;
}

/** Writes SSE frames with back-pressure; stops (and cancels upstream) when the client leaves. */
export async function writeStream(response: Response, frames: AsyncIterable<string>, signal: CancelSignal): Promise<void> {
  startStream(response, SSE_HEADERS);
  await writeFrames(response, frames, signal);
}

function modelObject(listing: ModelListing): Record<string, unknown> {
  return {
    id: listing.id,
    object: 'model',
    created: listing.created,
    owned_by: listing.ownedBy,
    ...(listing.contextWindow === undefined ? {} : { context_window: listing.contextWindow }),
  };
}

async function relayChat(
  service: RelayService,
  request: Request,
  response: Response,
  decoded: { request: Parameters<RelayService['chat']>[0]; stream: boolean; includeUsage: boolean },
  object: StreamEncodingOptions['object'],
  collect: (events: AsyncIterable<StreamEvent>, id: string, created: number) => Promise<Record<string, unknown>>,
): Promise<void> {
  const signal = clientAbortSignal(response);
  const sessionId = sessionIdOf(request);
  const result = await service.chat(decoded.request, {
    signal,
    clientWire: 'openai',
    requestId: String(response.locals.requestId ?? randomId()),
    ...(sessionId ? { sessionId } : {}),
  });
  setRouteHeaders(response, result.route, result.attempts, result.pin);
  const id = object === 'text_completion' ? `cmpl-${randomId()}` : completionId();
  const created = Math.floor(Date.now() / 1000);
  if (decoded.stream) {
    startStream(response, SSE_HEADERS);
    await writeEvents(response, result.events, new OpenAiStreamEncoder({ id, created, includeUsage: decoded.includeUsage, object }), signal);
    return;
  }
  sendJson(response, await collect(result.events, id, created));
}

/** Where chat completions are posted. */
export const CHAT_COMPLETIONS_PATHS: readonly string[] = ['/v1/chat/completions', '/chat/completions'];

/**
 * `POST /v1/chat/completions` as a handler of its own: the router below mounts it, and the HTTP
 * layer also calls it directly for the requests it can tell are this route's (its hot path).
 */
export function chatCompletions(service: RelayService): (request: Request, response: Response) => Promise<void> {
  return async function relayChatCompletion(request, response) {
    const decoded = decodeChatRequest(request.body);
    await relayChat(service, request, response, decoded, 'chat.completion.chunk', async (events, id, created) =>
      encodeChatResponse(await collectResponse(events), id, created),
    );
  };
}

/** The OpenAI wire: chat completions, legacy completions, embeddings and models, with and without `/v1`. */
export function openAiRoutes(service: RelayService): Router {
  const router = express.Router();

  router.post([...CHAT_COMPLETIONS_PATHS], chatCompletions(service));

  router.post(['/v1/completions', '/completions'], async (request, response) => {
    const decoded = decodeCompletionRequest(request.body);
    await relayChat(service, request, response, decoded, 'text_completion', async (events, id, created) =>
      encodeCompletionResponse(await collectResponse(events), id, created, decoded.echoPrompt),
    );
  });

  router.post(['/v1/embeddings', '/embeddings'], async (request, response) => {
    const { request: embeddingRequest, encoding } = decodeEmbeddingRequest(request.body);
    const signal = clientAbortSignal(response);
    const outcome = await service.embed(embeddingRequest, { signal, clientWire: 'openai', requestId: String(response.locals.requestId ?? randomId()) });
    setRouteHeaders(response, outcome.route, outcome.attempts);
    response.json(encodeEmbeddingResponse(outcome.result, encoding));
  });

  router.get(['/v1/models', '/models'], (_request, response) => {
    response.json({ object: 'list', data: service.listModels().map(modelObject) });
  });

  // Model ids contain slashes (meta/llama-3.3-70b-instruct); the SDK percent-encodes them, others do not.
  router.get(['/v1/models/*id', '/models/*id'], (request, response) => {
    const segments = (request.params as { id?: string[] | string }).id ?? [];
    const id = (Array.isArray(segments) ? segments.join('/') : segments).trim();
    const listing = service.findModel(id);
    if (!listing) {
      throw new RelayError(`The model '${id.slice(0, 200)}' does not exist or is not served right now.`, { status: 404, kind: 'not-found', code: 'model_not_found', param: 'model' });
    }
    response.json(modelObject(listing));
  });

  return router;
}
