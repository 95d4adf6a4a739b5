import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

describe('relay smoke', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small'] }]) });
  });
  afterAll(async () => {
    await relay?.close();
    await upstream?.close();
  });

  it('answers a chat completion through the SDK', async () => {
    const client = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    const stream = await client.chat.completions.create({ model: 'auto-fastest', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the fake upstream.');
    expect(usage).toBeDefined();
  });
});
