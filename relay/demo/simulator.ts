import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeAnswer, lastUserText, promptTokens, tokenize } from './answers.js';
import type { DemoProfile } from './profiles.js';
import { jittered } from './random.js';

/**
 * One simulated OpenAI-compatible upstream on 127.0.0.1: `GET /v1/models` and
 * `POST /v1/chat/completions`, streamed (SSE, usage when asked) or not, with the profile's
 * first-token time, speed, jitter and failures. Plain node:http, so the relay reaches it
 * through exactly the code that reaches any other OpenAI-compatible server.
 */

export interface SimulatorOptions {
  random: () => number;
  /** Multiplies every delay (0: answer at once). */
  timeScale: number;
}

export interface SimulatorStats {
  /** Chat requests received. */
  requests: number;
  /** Refused with 503 or 429. */
  failures: number;
  /** Streams cut off mid-way. */
  resets: number;
}

export interface SimulatedUpstream {
  readonly profile: DemoProfile;
  /** `http://127.0.0.1:PORT/v1`, what the relay is configured with. */
  readonly baseUrl: string;
  readonly stats: SimulatorStats;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

function sleep(ms: number): Promise<void> {
  if (!(ms >= 1)) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed || response.writableEnded) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

function errorBody(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpFailure(413, 'The request body is larger than 1 MB.', 'invalid_request_error', 'body_too_large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function stopsOf(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  return Array.isArray(value) ? value.filter((stop): stop is string => typeof stop === 'string' && stop !== '') : [];
}

export async function startSimulatedUpstream(profile: DemoProfile, options: SimulatorOptions): Promise<SimulatedUpstream> {
  const { random } = options;
  const scale = Math.max(0, options.timeScale);
  const stats: SimulatorStats = { requests: 0, failures: 0, resets: 0 };
  let counter = 0;

  function modelList(): unknown {
    return {
      object: 'list',
      data: profile.models.map((model) => ({
        id: model.id,
        object: 'model',
        created: 1_700_000_000,
        owned_by: `${profile.id} (simulated)`,
        context_window: model.contextWindow,
        max_completion_tokens: model.maxOutputTokens,
      })),
    };
  }

  async function chat(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(request));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      if (error instanceof HttpFailure) throw error;
      throw new HttpFailure(400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_json');
    }
    if (typeof body.model !== 'string' || body.model === '') throw new HttpFailure(400, 'model is required.', 'invalid_request_error', 'missing_model');
    const model = profile.models.find((candidate) => candidate.id === body.model);
    if (!model) {
      const served = profile.models.map((candidate) => candidate.id).join(', ');
      throw new HttpFailure(404, `The model '${body.model.slice(0, 100)}' does not exist on ${profile.id} (simulated); it serves ${served}.`, 'invalid_request_error', 'model_not_found');
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) throw new HttpFailure(400, 'messages must be a non-empty array.', 'invalid_request_error', 'invalid_messages');

    stats.requests++;
    let closed = false;
    response.on('close', () => {
      closed = true;
    });

    if (random() < profile.failureRate) {
      stats.failures++;
      // Failing takes a moment too: a real overloaded upstream answers quickly, not instantly.
      await sleep(jittered(profile.ttftMs * 0.5, profile.jitter, random) * scale);
      if (random() < 0.5) {
        sendJson(response, 503, errorBody(`${profile.id} (simulated) is overloaded right now; please try again later.`, 'server_error', 'overloaded'));
      } else {
        const retryAfter = 1 + Math.floor(random() * 3);
        sendJson(response, 429, errorBody(`${profile.id} (simulated) rate limit reached; retry in ${retryAfter} s.`, 'rate_limit_error', 'rate_limit_exceeded'), { 'retry-after': String(retryAfter) });
      }
      return;
    }

    const format = (body.response_format as { type?: unknown } | undefined)?.type;
    let answer = composeAnswer({
      provider: profile.id,
      model: model.id,
      prompt: lastUserText(messages),
      ttftMs: profile.ttftMs,
      tokensPerSecond: profile.tokensPerSecond,
      json: format === 'json_object' || format === 'json_schema',
      random,
    });
    for (const stop of stopsOf(body.stop)) {
      const at = answer.indexOf(stop);
      if (at >= 0) answer = answer.slice(0, at);
    }
    const limit = Math.min(positiveInteger(body.max_completion_tokens) ?? positiveInteger(body.max_tokens) ?? model.maxOutputTokens, model.maxOutputTokens);
    let tokens = tokenize(answer);
    let finishReason = 'stop';
    if (tokens.length > limit) {
      tokens = tokens.slice(0, limit);
      finishReason = 'length';
    }
    const usage = { prompt_tokens: promptTokens(messages), completion_tokens: tokens.length, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    counter++;
    const id = `chatcmpl-sim-${profile.id}-${counter}`;
    const created = Math.floor(Date.now() / 1000);
    const ttftMs = jittered(profile.ttftMs, profile.jitter, random) * scale;
    const perTokenMs = (1000 / profile.tokensPerSecond) * scale;
    const headers = { 'x-request-id': id, 'x-simulated-provider': profile.id };

    if (body.stream !== true) {
      let total = ttftMs;
      for (let index = 1; index < tokens.length; index++) total += jittered(perTokenMs, profile.jitter, random);
      await sleep(total);
      if (closed) return;
      sendJson(
        response,
        200,
        {
          id,
          object: 'chat.completion',
          created,
          model: model.id,
          system_fingerprint: 'simulated',
          choices: [{ index: 0, message: { role: 'assistant', content: tokens.join(''), refusal: null }, logprobs: null, finish_reason: finishReason }],
          usage,
        },
        headers,
      );
      return;
    }

    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: model.id, system_fingerprint: 'simulated', choices, ...extra })}\n\n`;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    response.flushHeaders();
    const resetAt = tokens.length > 2 && random() < profile.resetRate ? 1 + Math.floor(random() * (tokens.length - 1)) : undefined;
    await sleep(ttftMs);
    if (closed) return;
    // Deadlines from the first token rather than sleeps in a row, so timer overhead does not slow the stream down.
    let due = Date.now();
    response.write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    for (let index = 0; index < tokens.length; index++) {
      if (index > 0) {
        due += jittered(perTokenMs, profile.jitter, random);
        await sleep(due - Date.now());
      }
      if (closed) return;
      if (index === resetAt) {
        stats.resets++;
        response.socket?.destroy();
        return;
      }
      response.write(chunk([{ index: 0, delta: { content: tokens[index] }, logprobs: null, finish_reason: null }]));
    }
    response.write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
    if (includeUsage) response.write(chunk([], { usage }));
    response.end('data: [DONE]\n\n');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://simulator').pathname.replace(/\/+$/, '');
    try {
      if (path === '/v1/models') {
        if (request.method !== 'GET') throw new HttpFailure(405, 'Use GET.', 'invalid_request_error', 'method_not_allowed');
        sendJson(response, 200, modelList());
        return;
      }
      if (path === '/v1/chat/completions') {
        if (request.method !== 'POST') throw new HttpFailure(405, 'Use POST.', 'invalid_request_error', 'method_not_allowed');
        await chat(request, response);
        return;
      }
      throw new HttpFailure(404, `${profile.id} (simulated) has no ${request.method ?? ''} ${path.slice(0, 100)}; it serves GET /v1/models and POST /v1/chat/completions.`, 'invalid_request_error', 'unknown_url');
    } catch (error) {
      if (error instanceof HttpFailure) sendJson(response, error.status, errorBody(error.message, error.type, error.code));
      else if (!response.headersSent) sendJson(response, 500, errorBody('The simulator failed.', 'server_error', null));
      else response.destroy();
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    profile,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Streams in progress end now: demo mode is off, nothing should keep answering.
        server.closeAllConnections();
      }),
  };
}
