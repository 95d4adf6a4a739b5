import type { ChatRequest } from '../../core/chat-request.js';
import { RelayError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/stream-event.js';
import { decodeSse } from '../../streams/sse-decoder.js';
import { joinBaseUrl } from '../catalog.js';
import type { HttpResponse } from '../http-client.js';
import type { ModelDescriptor, ProviderAdapter, ProviderContext } from '../provider.js';
import { readJson, readLimited } from '../response-body.js';
import type { MessageWire, ModelInfoWire, ModelListWire } from './api-types.js';
import { betaHeader, convertRequest } from './convert-request.js';
import { parseUpstreamError, transportError, type UpstreamFailureContext } from './parse-error.js';
import { messageToEvents, parseMessageStream } from './parse-stream.js';

/**
 * The native Anthropic Messages adapter: `x-api-key` auth, `anthropic-version`, the client's
 * `anthropic-beta` list passed through, SSE parsed to canonical events. The base URL is the
 * origin (https://api.anthropic.com), as ANTHROPIC_BASE_URL is for the SDKs; Anthropic-compatible
 * servers are reached by changing it.
 */

export const ANTHROPIC_VERSION = '2023-06-01';
const MAX_ERROR_BODY = 64 * 1024;
const USER_AGENT = 'switchboard-relay';
/** Anthropic's largest page; discovery follows `has_more` for a few pages at most. */
const MODEL_PAGE = 1000;
const MAX_MODEL_PAGES = 5;

function headersFor(context: ProviderContext, accept: string, beta?: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept, 'user-agent': USER_AGENT, 'anthropic-version': ANTHROPIC_VERSION };
  for (const [name, value] of Object.entries(context.headers)) headers[name.toLowerCase()] = value;
  if (beta !== undefined) headers['anthropic-beta'] = beta;
  if (context.apiKey) headers['x-api-key'] = context.apiKey;
  return headers;
}

function failureContext(context: ProviderContext, model: string): UpstreamFailureContext {
  return { provider: context.providerId, model, ...(context.keyLabel === undefined ? {} : { keyLabel: context.keyLabel }), now: Date.now() };
}


async function send(context: ProviderContext, model: string, method: 'GET' | 'POST', path: string, body: string | undefined, accept: string, beta?: string): Promise<HttpResponse> {
  let response: HttpResponse;
  try {
    response = await context.http({
      url: joinBaseUrl(context.baseUrl, path),
      method,
      headers: headersFor(context, accept, beta),
      ...(body === undefined ? {} : { body }),
      signal: context.signal,
    });
  } catch (error) {
    if (context.signal.aborted) throw error;
    throw transportError(error, failureContext(context, model));
  }
  context.onResponseHeaders?.(response.headers);
  if (response.status >= 200 && response.status < 300) return response;
  const text = await readLimited(response.body, MAX_ERROR_BODY).catch(() => '');
  throw parseUpstreamError(response.status, response.headers, text, failureContext(context, model));
}


async function* streamChat(request: ChatRequest, model: string, context: ProviderContext): AsyncGenerator<StreamEvent> {
  const body = JSON.stringify(convertRequest(request, model, context.quirks));
  const response = await send(context, model, 'POST', 'v1/messages', body, 'text/event-stream', betaHeader(request));
  const source = { provider: context.providerId, model, ...(context.keyLabel === undefined ? {} : { keyLabel: context.keyLabel }) };
  if ((response.headers['content-type'] ?? '').includes('application/json')) {
    yield* messageToEvents(await readJson<MessageWire>(response, context, model), source);
    return;
  }
  yield* parseMessageStream(decodeSse(response.body), source);
}

function modelDescriptor(id: string, row: ModelInfoWire): ModelDescriptor {
  // Every Claude model since Claude 3 takes tools and images; the list's own capabilities win when present.
  const model: ModelDescriptor = {
    id,
    capabilities: {
      tools: true,
      vision: row.capabilities?.image_input?.supported ?? true,
      ...(row.capabilities?.thinking?.supported === undefined ? {} : { reasoning: row.capabilities.thinking.supported }),
    },
  };
  if (typeof row.max_input_tokens === 'number' && row.max_input_tokens > 0) model.contextWindow = row.max_input_tokens;
  if (typeof row.max_tokens === 'number' && row.max_tokens > 0) model.maxOutputTokens = row.max_tokens;
  return model;
}

async function listModels(context: ProviderContext): Promise<ModelDescriptor[]> {
  const models: ModelDescriptor[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_MODEL_PAGES; page++) {
    const query = `v1/models?limit=${MODEL_PAGE}${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
    const list = await readJson<ModelListWire>(await send(context, '*', 'GET', query, undefined, 'application/json'), context, '*');
    for (const row of list.data ?? []) {
      if (typeof row.id !== 'string' || row.id === '' || row.lifecycle === 'retired') continue;
      models.push(modelDescriptor(row.id, row));
    }
    if (!list.has_more || !list.last_id) break;
    after = list.last_id;
  }
  return models;
}

export function createAnthropicAdapter(): ProviderAdapter {
  return {
    kind: 'anthropic',
    streamChat,
    embed: async () => {
      throw new RelayError('Anthropic has no embeddings API.', { status: 400, kind: 'invalid-request', code: 'embeddings_not_supported' });
    },
    listModels,
  };
}
