import { UpstreamError } from '../core/errors.js';
import { redactSecrets } from '../keys/redact.js';
import type { HttpClient } from '../providers/http-client.js';
import { createAdapter } from '../providers/registry.js';
import { BodyTooLargeError, inspectingHttp, providerMessage, type LastAnswer } from './inspecting-http.js';

/**
 * What a custom endpoint would serve, before it is added: its `GET /models`, asked once with the
 * key and headers the user typed. Redirects are never followed (the relay's HTTP client does not),
 * so a key goes nowhere but the URL given.
 */

export interface ModelPreviewRequest {
  baseUrl: string;
  key?: string;
  headers?: Record<string, string>;
}

export interface ModelPreviewResult {
  ok: boolean;
  /** Model ids, sorted, each once. */
  models: string[];
  error?: string;
  durationMs: number;
}

export interface ModelPreviewOptions {
  http: HttpClient;
  now: () => number;
  /** Default 10 s. */
  timeoutMs?: number;
  /** The largest model list read (default 8 MB). */
  limitBytes?: number;
}

export async function previewModels(request: ModelPreviewRequest, options: ModelPreviewOptions): Promise<ModelPreviewResult> {
  const started = options.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const host = new URL(request.baseUrl).host;
  const last: LastAnswer = {};
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const done = (result: Omit<ModelPreviewResult, 'durationMs'>): ModelPreviewResult => ({ ...result, durationMs: Math.max(0, options.now() - started) });
  try {
    const models = await createAdapter('openai-compatible').listModels({
      providerId: host,
      baseUrl: request.baseUrl,
      ...(request.key === undefined ? {} : { apiKey: request.key }),
      headers: request.headers ?? {},
      quirks: {},
      signal: controller.signal,
      http: inspectingHttp(options.http, options.limitBytes ?? 8 * 1024 * 1024, last),
    });
    return done({ ok: true, models: [...new Set(models.map((model) => model.id))].sort() });
  } catch (error) {
    let message: string;
    if (controller.signal.aborted) message = `${host} did not answer within ${Math.round(timeoutMs / 1000)} s.`;
    else if (error instanceof BodyTooLargeError) message = `${host} sent a model list larger than ${Math.round(error.limitBytes / (1024 * 1024))} MB.`;
    else if (error instanceof UpstreamError) {
      const own = last.status !== undefined && last.status >= 400 ? providerMessage(last.errorBody) : undefined;
      message = own ? `${host} answered HTTP ${last.status}: ${own}` : error.message;
    } else message = `${host}: ${error instanceof Error ? error.message : String(error)}`;
    // The key was typed, not stored: the usual redaction of stored keys does not know it.
    return done({ ok: false, models: [], error: redactSecrets(message, request.key === undefined ? [] : [request.key]) });
  } finally {
    clearTimeout(timer);
  }
}
