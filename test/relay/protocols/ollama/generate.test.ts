import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness } from '../../../helpers/harness.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

async function setup(behavior?: Parameters<typeof h.upstream>[0]) {
  const upstream = await h.upstream(behavior);
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-small'] }]);
  return { upstream, relay, client: new Ollama({ host: relay.url }) };
}

describe('POST /api/generate through the official ollama client', () => {
  it('answers without streaming with `response`, and sends system + prompt as two messages', async () => {
    const { client, upstream } = await setup();
    const response = await client.generate({ model: 'fake-small', prompt: 'Hi there, fake!', system: 'Be brief.', options: { num_predict: 50 } });
    expect(response.response).toBe(DEFAULT_TEXT);
    expect(response).not.toHaveProperty('message');
    expect(response).not.toHaveProperty('thinking');
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe('stop');
    expect(response.eval_count).toBe(5);
    expect(response.prompt_eval_count).toBeGreaterThan(0);
    const body = upstream.chatRequests()[0]?.body;
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there, fake!' },
    ]);
  });

  it('streams `response` pieces (and `thinking`) then one done object', async () => {
    const { client } = await setup({ behavior: scenarios.reasoning('Hmm, let me see.', 'The answer.') });
    const stream = await client.generate({ model: 'fake-small', prompt: 'q', stream: true });
    const parts = [];
    for await (const part of stream) parts.push(part);
    expect(parts.map((part) => part.thinking ?? '').join('')).toBe('Hmm, let me see.');
    expect(parts.map((part) => part.response).join('')).toBe('The answer.');
    expect(parts.filter((part) => part.done)).toHaveLength(1);
    expect(parts.at(-1)).toMatchObject({ done: true, done_reason: 'stop', response: '' });
    expect(parts.every((part) => !('message' in part))).toBe(true);
  });

  it('loads with an empty prompt and unloads with keep_alive 0, without calling the upstream', async () => {
    const { client, upstream } = await setup();
    const load = await client.generate({ model: 'fake-small', prompt: '' });
    expect(load).toMatchObject({ model: 'fake-small', response: '', done: true, done_reason: 'load' });
    expect((await client.ps()).models.map((model) => model.name)).toEqual(['fake-small']);
    const unload = await client.generate({ model: 'fake-small', prompt: '', keep_alive: 0 });
    expect(unload).toMatchObject({ done: true, done_reason: 'unload' });
    expect((await client.ps()).models).toEqual([]);
    // /api/chat with no messages does the same.
    const chatLoad = await client.chat({ model: 'fake-small', messages: [] });
    expect(chatLoad).toMatchObject({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' });
    expect(upstream.chatRequests()).toHaveLength(0);
    await expect(client.generate({ model: 'nope', prompt: '' })).rejects.toMatchObject({ status_code: 404, message: "model 'nope' not found" });
  });

  it('refuses suffix, raw prompts and context clearly', async () => {
    const { client, upstream } = await setup();
    await expect(client.generate({ model: 'fake-small', prompt: 'def f(', suffix: '\n  return x' })).rejects.toMatchObject({
      status_code: 400,
      message: expect.stringMatching(/suffix .*not supported/),
    });
    await expect(client.generate({ model: 'fake-small', prompt: '[INST] hi [/INST]', raw: true })).rejects.toMatchObject({ status_code: 400, message: expect.stringMatching(/raw/) });
    await expect(client.generate({ model: 'fake-small', prompt: 'more', context: [1, 2, 3] })).rejects.toMatchObject({ status_code: 400, message: expect.stringMatching(/context/) });
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it('sends images with the prompt', async () => {
    const { client, upstream } = await setup();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
    await client.generate({ model: 'fake-small', prompt: 'What is this?', images: [new Uint8Array(jpeg)] });
    expect(upstream.chatRequests()[0]?.body.messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } },
    ]);
  });
});
