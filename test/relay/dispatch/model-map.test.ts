import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../relay/config/schema.js';
import { mapModel } from '../../../relay/dispatch/dispatcher.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

describe('the Claude model map', () => {
  const rules = defaultConfig().anthropic.modelMap;

  it('sends haiku-class ids to fast and other Claude ids to auto-fastest by default', () => {
    expect(mapModel('claude-3-5-haiku-20241022', rules)).toBe('fast');
    expect(mapModel('claude-haiku-4-5', rules)).toBe('fast');
    expect(mapModel('claude-sonnet-4-5-20250929', rules)).toBe('auto-fastest');
    expect(mapModel('Claude-Opus-4-1', rules)).toBe('auto-fastest');
    expect(mapModel('gpt-4o', rules)).toBeUndefined();
  });

  describe('through the relay', () => {
    let upstream: FakeUpstream;
    let relay: TestRelay;
    afterEach(async () => {
      await relay?.close();
      await upstream?.close();
    });

    it('routes a Claude id no upstream serves through the map, and says so in the decision', async () => {
      upstream = await startFakeUpstream();
      relay = await startTestRelay({
        config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small'] }], { anthropic: { modelMap: [{ match: 'claude-*', model: 'fake-small' }] } }),
      });
      const response = await fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-switchboard-model')).toBe('fake-small');
      const record = (await fetch(`${relay.url}/admin/requests`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } }).then((r) => r.json())) as {
        requests: Array<{ decision?: { target: string } }>;
      };
      expect(record.requests.at(-1)?.decision?.target).toBe('model:fake-small (mapped from claude-sonnet-4-5)');
      const unknown = await fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-unknown', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(unknown.status).toBe(404);
    });
  });
});
