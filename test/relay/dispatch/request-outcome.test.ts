import { afterEach, describe, expect, it } from 'vitest';
import type { RequestsResponse } from '../../../relay/admin/dto.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { pollUntil } from '../../helpers/http.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

/** Every wire's finished answer is logged as served, whether or not its encoder reads to the end. */
describe('request outcomes in the log', () => {
  let upstream: FakeUpstream | undefined;
  let relay: TestRelay | undefined;

  afterEach(async () => {
    await relay?.close();
    await upstream?.close();
  });

  async function outcomes(): Promise<string[]> {
    const response = await fetch(`${relay!.url}/admin/requests`, { headers: { authorization: `Bearer ${relay!.relay.adminToken}` } });
    return ((await response.json()) as RequestsResponse).requests.map((request) => `${request.clientWire}:${request.outcome}`);
  }

  it('logs Anthropic answers, streamed and not, as ok (the encoder stops reading at message_stop)', async () => {
    upstream = await startFakeUpstream();
    relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fast-model'] }]) });
    for (const stream of [false, true]) {
      const response = await fetch(`${relay.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'fake/fast-model', max_tokens: 50, stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(stream ? 'message_stop' : 'Hello from the fake upstream.');
    }
    const logged = await pollUntil(async () => {
      const list = await outcomes();
      return list.length === 2 && !list.some((entry) => entry.endsWith(':pending')) && list;
    }, { what: 'two finished requests' });
    expect(logged).toEqual(['anthropic:ok', 'anthropic:ok']);
  });
});
