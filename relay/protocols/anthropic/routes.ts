import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { RelayError, toRelayError } from '../../core/errors.js';
import { randomId } from '../../core/ids.js';
import type { ChatDispatchResult, RelayService } from '../../core/relay-service.js';
import { settledWithin, waitWithTicks, withKeepAlive } from '../../streams/keep-alive.js';
import { SSE_HEADERS } from '../../streams/sse-encoder.js';
import { clientAbortSignal, setRouteHeaders, startStream as startHttpStream, writeFrames } from '../http-response.js';
import { estimateInputTokens } from './count-tokens.js';
import { streamErrorEvent } from './encode-error.js';
import { collectMessage, encodeModelPage, modelObject, type ModelPageQuery } from './encode-response.js';
import { PING_FRAME, encodeStream, sseFrame } from './encode-stream.js';
import { decodeCountTokensRequest, decodeMessagesRequest, type DecodedMessages } from './to-canonical.js';

export interface AnthropicRouteOptions {
  /**
   * Silence after which a `ping` event goes out: while the dispatcher is still looking for an
   * upstream that answers (then the 200 and the SSE headers go out first), and between events.
   */
  keepAliveMs?: number;
}

const KEEP_ALIVE_MS = 10_000;

/** Every path is served bare and under `/anthropic`, for clients whose base URL names the wire. */
function paths(path: string): string[] {
  return [path, `/anthropic${path}`];
}

/** Anthropic's SDK always sends anthropic-version; x-api-key is its key header. OpenAI clients send neither. */
export function speaksAnthropic(request: { path: string; headers: Record<string, string | string[] | undefined> }): boolean {
  return request.path.startsWith('/anthropic/') || request.headers['anthropic-version'] !== undefined || request.headers['x-api-key'] !== undefined;
}

function startStream(response: Response): void {
  startHttpStream(response, SSE_HEADERS);
}

async function relayMessages(service: RelayService, request: Request, response: Response, keepAliveMs: number): Promise<void> {
  const decoded: DecodedMessages = decodeMessagesRequest(request.body, request.headers);
  const signal = clientAbortSignal(response);
  const dispatch = service.chat(decoded.request, {
    signal,
    clientWire: 'anthropic',
    requestId: String(response.locals.requestId ?? randomId()),
    ...(decoded.sessionId ? { sessionId: decoded.sessionId } : {}),
  });
  const encoding = { messageId: `msg_${randomId()}`, estimatedInputTokens: estimateInputTokens(decoded.request) };
  const stream = (result: ChatDispatchResult) => withKeepAlive(encodeStream(result.events, encoding), keepAliveMs, () => PING_FRAME);

  if (!decoded.stream) {
    const result = await dispatch;
    setRouteHeaders(response, result.route, result.attempts, result.pin);
    response.json(await collectMessage(result.events, encoding));
    return;
  }
  // Most answers (and most failures) come quickly: then the status and route headers are real.
  const early = await settledWithin(dispatch, keepAliveMs);
  if (early !== undefined) {
    if ('error' in early) throw early.error;
    setRouteHeaders(response, early.value.route, early.value.attempts, early.value.pin);
    startStream(response);
    await writeFrames(response, stream(early.value), signal);
    return;
  }
  // A slow upstream: commit to 200 with pings (the SDKs skip them) rather than leave the client
  // guessing. Failover stays invisible until the first content event; a final failure goes in-band.
  startStream(response);
  response.write(PING_FRAME);
  let result: ChatDispatchResult;
  try {
    result = await waitWithTicks(dispatch, keepAliveMs, () => response.write(PING_FRAME));
  } catch (error) {
    if (!signal.aborted) response.write(sseFrame(streamErrorEvent(toRelayError(error))));
    response.end();
    return;
  }
  await writeFrames(response, stream(result), signal);
}

/**
 * The Anthropic Messages wire: messages, count_tokens and models, bare and under `/anthropic`.
 * Query strings such as Claude Code's `?beta=true` do not matter: routes match on the path.
 */
export function anthropicRoutes(service: RelayService, options: AnthropicRouteOptions = {}): Router {
  const router = express.Router();
  const keepAliveMs = options.keepAliveMs ?? KEEP_ALIVE_MS;

  router.post(paths('/v1/messages'), async (request, response) => {
    await relayMessages(service, request, response, keepAliveMs);
  });

  router.post(paths('/v1/messages/count_tokens'), (request, response) => {
    response.json({ input_tokens: estimateInputTokens(decodeCountTokensRequest(request.body, request.headers)) });
  });

  // `/v1/models` is shared with the OpenAI wire: answer in Anthropic's shape only to Anthropic clients.
  router.get(paths('/v1/models'), (request: Request, response: Response, next: NextFunction) => {
    if (!speaksAnthropic(request)) {
      next();
      return;
    }
    response.json(encodeModelPage(service.listModels(), request.query as ModelPageQuery));
  });

  router.get(paths('/v1/models/*id'), (request: Request, response: Response, next: NextFunction) => {
    if (!speaksAnthropic(request)) {
      next();
      return;
    }
    const segments = (request.params as { id?: string[] | string }).id ?? [];
    const id = (Array.isArray(segments) ? segments.join('/') : segments).trim();
    const listing = service.findModel(id);
    if (!listing) {
      throw new RelayError(`model: ${id.slice(0, 200)} is not served by this relay.`, { status: 404, kind: 'not-found', code: 'model_not_found', param: 'model' });
    }
    response.json(modelObject(listing));
  });

  return router;
}
