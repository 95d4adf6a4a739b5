/**
 * A fake native Anthropic upstream (api.anthropic.com) for relay tests: a real HTTP server on
 * 127.0.0.1 that serves `POST /v1/messages` as Anthropic's SSE stream (event: lines, message_start
 * first, content blocks with deltas, message_delta with cumulative usage, message_stop) and
 * `GET /v1/models` in Anthropic's list shape. It records every request and answers each call as
 * its scenario says: thinking with a signature, redacted thinking, tool_use blocks, error
 * statuses with Anthropic error bodies, in-band `event: error`, truncated streams.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface AnthropicRecordedRequest {
  method: string;
  path: string;
  query: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: any;
}

export interface AnthropicScenario {
  text?: string;
  thinking?: { text: string; signature: string };
  redactedThinking?: string;
  toolUses?: Array<{ id: string; name: string; input: Record<string, unknown> }>;
  stopReason?: string;
  stopSequence?: string;
  usage?: { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
  model?: string;
  /** An error reply: this status with `{type:"error",error:{type,message}}`. */
  status?: number;
  errorType?: string;
  errorMessage?: string;
  headers?: Record<string, string>;
  /** After this many events following message_start, send `event: error` (overloaded_error unless errorType says) and end. */
  errorAfterEvents?: number;
  /** End the HTTP response without message_delta and message_stop. */
  endWithoutStop?: boolean;
  /** Delay before the first event after the headers. */
  firstEventDelayMs?: number;
}

export type AnthropicBehavior = (request: AnthropicRecordedRequest, callIndex: number) => AnthropicScenario;

export interface FakeAnthropicUpstream {
  /** The origin, e.g. http://127.0.0.1:PORT (Anthropic base URLs carry no /v1). */
  url: string;
  port: number;
  requests: AnthropicRecordedRequest[];
  messageRequests(): AnthropicRecordedRequest[];
  setBehavior(behavior: AnthropicBehavior | AnthropicScenario): void;
  close(): Promise<void>;
}

export const FAKE_ANTHROPIC_TEXT = 'Hello from the fake Anthropic upstream.';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The stream events a scenario answers with (after message_start). */
function contentEvents(scenario: AnthropicScenario): object[] {
  const events: object[] = [];
  let index = 0;
  if (scenario.redactedThinking !== undefined) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: scenario.redactedThinking } });
    events.push({ type: 'content_block_stop', index: index++ });
  }
  if (scenario.thinking) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const piece of scenario.thinking.text.split(/(?<= )/)) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: scenario.thinking.signature } });
    events.push({ type: 'content_block_stop', index: index++ });
  }
  const text = scenario.text ?? (scenario.toolUses ? '' : FAKE_ANTHROPIC_TEXT);
  if (text !== '') {
    events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of text.split(/(?<= )/)) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    events.push({ type: 'content_block_stop', index: index++ });
  }
  for (const tool of scenario.toolUses ?? []) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } });
    const json = JSON.stringify(tool.input);
    const middle = Math.floor(json.length / 2);
    events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(0, middle) } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(middle) } });
    events.push({ type: 'content_block_stop', index: index++ });
  }
  return events;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function answerMessages(response: ServerResponse, request: AnthropicRecordedRequest, scenario: AnthropicScenario): void {
  if (scenario.status !== undefined && scenario.status >= 300) {
    const type = scenario.errorType ?? ERROR_TYPES[scenario.status] ?? 'api_error';
    sendJson(response, scenario.status, { type: 'error', error: { type, message: scenario.errorMessage ?? `Fake ${type}.` }, request_id: 'req_fake' }, scenario.headers);
    return;
  }
  const usage = { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...scenario.usage };
  const model = scenario.model ?? request.body?.model ?? 'claude-fake';
  const frames: object[] = [
    {
      type: 'message_start',
      message: { id: 'msg_fake01', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    },
    { type: 'ping' },
  ];
  const content = contentEvents(scenario);
  if (scenario.errorAfterEvents !== undefined) {
    frames.push(...content.slice(0, scenario.errorAfterEvents));
    frames.push({ type: 'error', error: { type: scenario.errorType ?? 'overloaded_error', message: scenario.errorMessage ?? 'Overloaded' } });
  } else {
    frames.push(...content);
    if (!scenario.endWithoutStop) {
      const stopReason = scenario.stopReason ?? (scenario.toolUses ? 'tool_use' : 'end_turn');
      frames.push({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: scenario.stopSequence ?? null }, usage });
      frames.push({ type: 'message_stop' });
    }
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_fake', ...scenario.headers });
  response.flushHeaders();
  const body = frames.map((frame) => `event: ${(frame as { type: string }).type}\ndata: ${JSON.stringify(frame)}\n\n`).join('');
  setTimeout(() => response.end(body), scenario.firstEventDelayMs ?? 0);
}

export async function startFakeAnthropicUpstream(
  options: { behavior?: AnthropicBehavior | AnthropicScenario; models?: string[]; requireKey?: string } = {},
): Promise<FakeAnthropicUpstream> {
  const requests: AnthropicRecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let behavior: AnthropicBehavior = typeof options.behavior === 'function' ? options.behavior : () => (options.behavior as AnthropicScenario | undefined) ?? {};
  let calls = 0;
  const models = options.models ?? ['claude-fake-sonnet', 'claude-fake-haiku'];

  const onRequest = (incoming: IncomingMessage, response: ServerResponse): void => {
    const parts: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => parts.push(chunk));
    incoming.on('end', () => {
      const url = incoming.url ?? '/';
      const queryAt = url.indexOf('?');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const text = Buffer.concat(parts).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const request: AnthropicRecordedRequest = {
        method: incoming.method ?? 'GET',
        path: queryAt < 0 ? url : url.slice(0, queryAt),
        query: queryAt < 0 ? '' : url.slice(queryAt + 1),
        headers,
        body,
      };
      requests.push(request);
      if (options.requireKey !== undefined && headers['x-api-key'] !== options.requireKey) {
        sendJson(response, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
        return;
      }
      if (request.method === 'POST' && request.path === '/v1/messages') {
        answerMessages(response, request, behavior(request, calls++));
        return;
      }
      if (request.method === 'GET' && request.path === '/v1/models') {
        const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' }));
        sendJson(response, 200, { data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null });
        return;
      }
      sendJson(response, 404, { type: 'error', error: { type: 'not_found_error', message: `Not found: ${request.path}` } });
    });
  };

  const server = createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    messageRequests: () => requests.filter((request) => request.method === 'POST' && request.path === '/v1/messages'),
    setBehavior(next) {
      behavior = typeof next === 'function' ? next : () => next;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
}
