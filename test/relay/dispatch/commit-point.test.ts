import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarios, type Scenario } from '../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../helpers/harness.js';
import { expectOpenAiErrorShape, rawPostJson, sseDataFrames } from '../../helpers/http.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const text = 'one two three four five six';

/** A first provider that fails after content, and a healthy second one that must never be asked. */
async function setup(first: Scenario) {
  const broken = await h.upstream({ behavior: { ...first, text } });
  const spare = await h.upstream();
  const relay = await h.relayFor([
    { id: 'broken', upstream: broken },
    { id: 'spare', upstream: spare },
  ]);
  return { broken, spare, relay };
}

/** [name, fault, what the error frame says, the content the client got before it] */
const faults: Array<[string, Scenario, RegExp, string]> = [
  ['a connection reset', scenarios.resetAfterChunks(2), /upstream_stream_truncated|connection/, 'one two '],
  ['an in-band error chunk', scenarios.midStreamError(2), /server had an error/, 'one two '],
  ['a stall longer than the idle timeout', scenarios.stallAfterChunks(2), /upstream_stream_stalled/, 'one two '],
  ['a clean close without a finish chunk or [DONE]', scenarios.endWithoutDone(), /upstream_stream_truncated/, text],
  ['a malformed chunk', { malformedChunk: 2 }, /upstream_bad_response|malformed/, 'one two '],
];

describe('after the first content byte (the commit point)', () => {
  it.each(faults)('ends the SSE stream with an error frame, no finish_reason and no [DONE] on %s', async (_name, scenario, pattern, before) => {
    const { relay, spare } = await setup(scenario);
    const started = Date.now();
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(response.status).toBe(200);
    const frames = sseDataFrames(response.text);
    expect(frames).not.toContain('[DONE]');
    const parsed = frames.map((frame) => JSON.parse(frame));
    const last = parsed.at(-1);
    const error = expectOpenAiErrorShape(last);
    expect(`${error.code} ${error.message}`).toMatch(pattern);
    // The content sent before the failure reached the client; nothing claims a clean finish.
    const chunks = parsed.slice(0, -1);
    expect(chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('')).toBe(before);
    expect(chunks.some((chunk) => chunk.choices?.[0]?.finish_reason)).toBe(false);
    expect(parsed.filter((chunk) => 'error' in chunk)).toHaveLength(1);
    // No silent restart on another provider after content was sent.
    expect(spare.chatRequests()).toHaveLength(0);
  });

  it.each(faults)('makes the SDK stream iterator throw on %s', async (_name, scenario, _pattern, before) => {
    const { relay } = await setup(scenario);
    const stream = await sdkFor(relay).chat.completions.create({ model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let received = '';
    const failure = await (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(failure).toBeInstanceOf(APIError);
    expect(received).toBe(before);
  });

  it.each(faults)('answers a non-streaming client with a JSON error, not a truncated completion, on %s', async (_name, scenario) => {
    const { relay, spare } = await setup(scenario);
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expectOpenAiErrorShape(response.json);
    expect(spare.chatRequests()).toHaveLength(0);
  });

  it('keeps the relay healthy afterwards, and abandons the failed route for the next request', async () => {
    const { relay, broken, spare } = await setup(scenarios.stallAfterChunks(1));
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(sseDataFrames(response.text)).not.toContain('[DONE]');
    // The stalled upstream request was cancelled when the idle timer fired.
    await broken.waitForAbort(1, 2000);
    broken.setBehavior(scenarios.ok('fine again'));
    const next = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(next.status).toBe(200);
    // The stalled route is held back after its failure: the spare serves, the broken one is not asked.
    expect(next.headers['x-switchboard-provider']).toBe('spare');
    expect(broken.chatRequests()).toHaveLength(1);
    expect(spare.chatRequests()).toHaveLength(1);
    // Asked for by its exact id, the recovered route answers again.
    const exact = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'broken/fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(exact.json.choices[0].message.content).toBe('fine again');
  });

  it('does not time out a slow but steady stream: the idle timer restarts with every chunk', async () => {
    // Six gaps of 100 ms: 600 ms in all, more than the idle timeout, but never 400 ms of silence.
    const upstream = await h.upstream({ behavior: scenarios.slow({ interChunkMs: 100 }, { text: 'a b c d e' }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }], { extra: { timeouts: { idleMs: 400 } } });
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const frames = sseDataFrames(response.text);
    expect(frames.at(-1)).toBe('[DONE]');
    expect(frames.some((frame) => frame.includes('"error"'))).toBe(false);
  });
});
