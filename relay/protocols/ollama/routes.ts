import { performance } from 'node:perf_hooks';
import express, { type Request, type Response, type Router } from 'express';
import { RelayError, isRelayError } from '../../core/errors.js';
import { randomId } from '../../core/ids.js';
import type { DispatchOptions, RelayService } from '../../core/relay-service.js';
import { ndjsonLine, NDJSON_HEADERS } from '../../streams/ndjson-encoder.js';
import { modelNotFoundError } from './encode-error.js';
import { OLLAMA_VERSION, psEntry, showResponse, tagEntry } from './encode-models.js';
import { collectOllamaResponse, encodeEmbeddingsResponse, encodeEmbedResponse, encodeLoadResponse } from './encode-response.js';
import { encodeNdjsonStream, type OllamaEncodingOptions } from './encode-stream.js';
import { clientAbortSignal, sessionIdOf, setRouteHeaders, writeNdjson } from './http-helpers.js';
import { LoadedModels } from './loaded-models.js';
import { resolveModelName } from './model-names.js';
import { decodeChatRequest, decodeEmbeddingsRequest, decodeEmbedRequest, decodeGenerateRequest, decodeNamedModel, type DecodedEmbed, type DecodedOllamaChat } from './to-canonical.js';
import type { CancelSignal } from '../../core/cancellation.js';

const MANAGEMENT_REFUSAL =
  'is not supported: Switchboard is a relay, its models are served by the providers configured in Switchboard (dashboard or `switchboard endpoints`), not stored here';

/** Dispatcher "unknown model" errors in Ollama's words, naming the model as the client wrote it. */
function ollamaNotFound(error: unknown, model: string): unknown {
  return isRelayError(error) && error.code === 'model_not_found' ? modelNotFoundError(model, error) : error;
}

/**
 * The Ollama wire (`/api/*`): chat and generate (NDJSON streams by default), embeddings, and the
 * model listing endpoints emulated from the relay's own model list. Model management is refused.
 */
export function ollamaRoutes(service: RelayService): Router {
  const router = express.Router();
  const loaded = new LoadedModels();
  const clock = () => performance.now();
  const createdAt = () => new Date().toISOString();
  const resolve = (name: string) => resolveModelName((id) => service.findModel(id), name);
  const dispatchOptions = (request: Request, response: Response, signal: CancelSignal): DispatchOptions => {
    const sessionId = sessionIdOf(request);
    return { signal, clientWire: 'ollama', requestId: String(response.locals.requestId ?? randomId()), ...(sessionId ? { sessionId } : {}) };
  };
  /** The listing of a servable model, or Ollama's 404. */
  const servable = (name: string) => {
    const listing = service.findModel(resolve(name));
    if (!listing) throw modelNotFoundError(name);
    return listing;
  };

  async function relayChat(kind: 'chat' | 'generate', decoded: DecodedOllamaChat, request: Request, response: Response): Promise<void> {
    const startedAt = clock();
    const name = resolve(decoded.model);
    if (decoded.request === undefined) {
      const listing = servable(decoded.model);
      const unload = decoded.keepAliveMs === 0;
      if (unload) loaded.unload(listing.id);
      else loaded.touch(listing.id, decoded.keepAliveMs);
      response.json(encodeLoadResponse(kind, decoded.model, createdAt(), unload));
      return;
    }
    decoded.request.model = name;
    const signal = clientAbortSignal(response);
    const result = await service.chat(decoded.request, dispatchOptions(request, response, signal)).catch((error: unknown) => {
      throw ollamaNotFound(error, decoded.model);
    });
    setRouteHeaders(response, result.route, result.attempts, result.pin);
    loaded.touch(name, decoded.keepAliveMs);
    const options: OllamaEncodingOptions = { kind, model: decoded.model, startedAt, now: clock, createdAt, hideThinking: decoded.hideThinking };
    if (decoded.stream) {
      await writeNdjson(response, encodeNdjsonStream(result.events, options), signal);
      return;
    }
    response.json(await collectOllamaResponse(result.events, options));
  }

  async function relayEmbed(decoded: DecodedEmbed, request: Request, response: Response): Promise<{ vectors: number[][]; inputTokens: number; durationMs: number } | undefined> {
    const startedAt = clock();
    if (decoded.request.input.length === 0) {
      // Ollama loads the model and answers with no vectors.
      loaded.touch(servable(decoded.model).id, decoded.keepAliveMs);
      return undefined;
    }
    const name = resolve(decoded.model);
    const signal = clientAbortSignal(response);
    const outcome = await service.embed({ ...decoded.request, model: name }, dispatchOptions(request, response, signal)).catch((error: unknown) => {
      throw ollamaNotFound(error, decoded.model);
    });
    setRouteHeaders(response, outcome.route, outcome.attempts);
    loaded.touch(name, decoded.keepAliveMs);
    return { vectors: outcome.result.vectors, inputTokens: outcome.result.inputTokens, durationMs: clock() - startedAt };
  }

  router.post('/api/chat', async (request, response) => {
    await relayChat('chat', decodeChatRequest(request.body), request, response);
  });

  router.post('/api/generate', async (request, response) => {
    await relayChat('generate', decodeGenerateRequest(request.body), request, response);
  });

  router.post('/api/embed', async (request, response) => {
    const decoded = decodeEmbedRequest(request.body);
    const result = await relayEmbed(decoded, request, response);
    response.json(encodeEmbedResponse(decoded.model, result ?? { vectors: [], inputTokens: 0 }, result?.durationMs ?? 0));
  });

  router.post('/api/embeddings', async (request, response) => {
    const result = await relayEmbed(decodeEmbeddingsRequest(request.body), request, response);
    response.json(encodeEmbeddingsResponse(result));
  });

  router.get('/api/tags', (_request, response) => {
    response.json({ models: service.listModels().map(tagEntry) });
  });

  router.post('/api/show', (request, response) => {
    response.json(showResponse(servable(decodeNamedModel(request.body).model)));
  });

  router.get('/api/ps', (_request, response) => {
    response.json({ models: loaded.list().map(({ id, expiresAt }) => psEntry(id, service.findModel(id), expiresAt)) });
  });

  router.get('/api/version', (_request, response) => {
    response.json({ version: OLLAMA_VERSION });
  });

  // UIs pull a model before using it; a model the relay serves is already "pulled".
  router.post('/api/pull', (request, response) => {
    const { model, stream } = decodeNamedModel(request.body);
    if (!service.findModel(resolve(model))) {
      throw new RelayError(`pulling '${model.slice(0, 200)}' ${MANAGEMENT_REFUSAL}; no configured provider serves this model`, { status: 501, kind: 'invalid-request', code: 'not_supported' });
    }
    if (stream === false) {
      response.json({ status: 'success' });
      return;
    }
    response.writeHead(200, NDJSON_HEADERS);
    response.end(ndjsonLine({ status: 'success' }));
  });

  const refuse = (what: string) => () => {
    throw new RelayError(`${what} ${MANAGEMENT_REFUSAL}.`, { status: 501, kind: 'invalid-request', code: 'not_supported' });
  };
  router.post('/api/push', refuse('pushing models'));
  router.post('/api/create', refuse('creating models'));
  router.post('/api/copy', refuse('copying models'));
  router.delete('/api/delete', refuse('deleting models'));
  router.all('/api/blobs/*digest', refuse('uploading blobs'));

  return router;
}
