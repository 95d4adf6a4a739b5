import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../../relay/core/chat-request.js';
import type { ChatDispatchResult, DispatchOptions, RelayService } from '../../../../relay/core/relay-service.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { responsesRoutes } from '../../../../relay/protocols/responses/index.js';
import { rawPostJson } from '../../../helpers/http.js';
import { fromArray } from './helpers.js';

const answer: StreamEvent[] = [
  { type: 'message-start', id: 'x', model: 'upstream-model', provider: 'p' },
  { type: 'text-delta', index: 0, delta: 'ok' },
  { type: 'message-end', finishReason: 'stop' },
];

/** A RelayService that records what the wire asked for and answers 'ok'. */
function recordingService(): { service: RelayService; calls: Array<{ request: ChatRequest; options: DispatchOptions }> } {
  const calls: Array<{ request: ChatRequest; options: DispatchOptions }> = [];
  const service: RelayService = {
    async chat(request, options): Promise<ChatDispatchResult> {
      calls.push({ request, options });
      return { route: { provider: 'p', model: 'upstream-model', keyLabel: 'main' }, attempts: [], events: fromArray(answer) };
    },
    embed: () => Promise.reject(new Error('not used')),
    listModels: () => [],
    findModel: () => undefined,
  };
  return { service, calls };
}

let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
});

async function serve(service: RelayService): Promise<number> {
  const app = express();
  app.use(express.json());
  app.use(responsesRoutes(service));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('Responses routes', () => {
  it("dispatches as the 'responses' wire and keeps Codex's session_id header as the session", async () => {
    const { service, calls } = recordingService();
    const port = await serve(service);
    const response = await rawPostJson(port, '/v1/responses', { model: 'm', input: 'hi', prompt_cache_key: 'cache-key' }, { session_id: 'codex-conversation-1' });
    expect(response.status).toBe(200);
    expect(response.json.output[0].content[0].text).toBe('ok');
    expect(response.json.model).toBe('upstream-model');
    expect(response.headers['x-switchboard-provider']).toBe('p');
    expect(response.headers['x-switchboard-key']).toBe('main');
    expect(calls[0]?.options).toMatchObject({ clientWire: 'responses', sessionId: 'codex-conversation-1' });
    expect(calls[0]?.options.signal).toMatchObject({ aborted: false });
  });

  it('falls back to X-Session-ID, then to prompt_cache_key, for route affinity', async () => {
    const { service, calls } = recordingService();
    const port = await serve(service);
    await rawPostJson(port, '/responses', { model: 'm', input: 'hi', prompt_cache_key: 'cache-key' }, { 'x-session-id': 'header-session' });
    await rawPostJson(port, '/responses', { model: 'm', input: 'hi', prompt_cache_key: 'cache-key' });
    await rawPostJson(port, '/responses', { model: 'm', input: 'hi' });
    expect(calls.map((call) => call.options.sessionId)).toEqual(['header-session', 'cache-key', undefined]);
  });
});
