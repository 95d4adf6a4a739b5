import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../relay/dispatch/usage-log.js';
import { scenarios, sequence } from '../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../helpers/harness.js';
import { pollUntil } from '../../helpers/http.js';
import type { TestRelay } from '../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const body = { model: 'fake-small', messages: [{ role: 'user' as const, content: 'hi' }] };

/** Finished request records, as the request log reports them. */
function recordsOf(relay: TestRelay): RequestRecord[] {
  const records: RequestRecord[] = [];
  relay.relay.events.on('request', (record: RequestRecord) => records.push({ ...record }));
  return records;
}

function post(relay: TestRelay, payload: object, signal: AbortSignal): Promise<Response> {
  return fetch(`${relay.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal,
  });
}

describe('client disconnects cancel the upstream request', () => {
  it('aborts the upstream promptly when the SDK aborts a stream between chunks', async () => {
    // Chunks 2 s apart and a long idle timeout: only the client's abort can end this quickly.
    const upstream = await h.upstream({ behavior: scenarios.slow({ interChunkMs: 2000 }, { text: 'one two three four' }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }], { extra: { timeouts: { idleMs: 10_000, totalMs: 20_000 } } });
    const records = recordsOf(relay);
    const controller = new AbortController();
    const stream = await sdkFor(relay).chat.completions.create({ ...body, stream: true }, { signal: controller.signal });
    let received = '';
    const reading = (async () => {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content ?? '';
        if (received !== '') controller.abort();
      }
    })().catch(() => undefined);
    const abortedAt = await pollUntil(() => (received !== '' ? Date.now() : 0), { what: 'the first chunk' });
    await upstream.waitForAbort(1, 1000);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    await reading;
    expect(received).toBe('one ');
    const record = await pollUntil(() => records.find((entry) => entry.outcome !== 'pending'), { what: 'the request record' });
    expect(record.outcome).toBe('aborted');
  });

  it('aborts the upstream when a fetch client aborts a stream', async () => {
    const upstream = await h.upstream({ behavior: scenarios.slow({ interChunkMs: 2000 }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }], { extra: { timeouts: { idleMs: 10_000, totalMs: 20_000 } } });
    const controller = new AbortController();
    const response = await post(relay, { ...body, stream: true }, controller.signal);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data:');
    controller.abort();
    await upstream.waitForAbort(1, 1000);
  });

  it('aborts the upstream when a non-streaming client gives up while the answer is being collected', async () => {
    const upstream = await h.upstream({ behavior: scenarios.slow({ interChunkMs: 2000 }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }], { extra: { timeouts: { idleMs: 10_000, totalMs: 20_000 } } });
    const controller = new AbortController();
    const pending = post(relay, body, controller.signal).catch(() => undefined);
    await upstream.waitForRequests(1);
    // Let the first content chunk arrive (the commit point) before giving up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await pending;
    await upstream.waitForAbort(1, 1000);
  });

  it('aborts the upstream while waiting for the first token', async () => {
    const upstream = await h.upstream({ behavior: scenarios.slow({ ttftMs: 5000 }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }], { extra: { timeouts: { firstTokenMs: 10_000, totalMs: 20_000 } } });
    const records = recordsOf(relay);
    const controller = new AbortController();
    const pending = sdkFor(relay)
      .chat.completions.create({ ...body, stream: true }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await upstream.waitForRequests(1);
    controller.abort();
    await upstream.waitForAbort(1, 1000);
    await pending;
    const record = await pollUntil(() => records.find((entry) => entry.outcome !== 'pending'), { what: 'the request record' });
    expect(record.outcome).toBe('aborted');
  });

  it('aborts the upstream while waiting for response headers', async () => {
    const upstream = await h.upstream({ behavior: scenarios.stallBeforeHeaders() });
    const relay = await h.relayFor([{ id: 'silent', upstream }], { extra: { timeouts: { firstTokenMs: 10_000, totalMs: 20_000 } } });
    const controller = new AbortController();
    const pending = post(relay, body, controller.signal).catch(() => undefined);
    await upstream.waitForRequests(1);
    controller.abort();
    await upstream.waitForAbort(1, 1000);
    await pending;
  });

  it('stops waiting for a cooling key when the client leaves: no retry is sent afterwards', async () => {
    const upstream = await h.upstream({ behavior: sequence(scenarios.rateLimited({ retryAfterMs: 400 }), scenarios.ok()) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'only' }] }], {
      secrets: { k1: 'sk-only' },
      extra: { routing: { maxRetryWaitMs: 5000 } },
    });
    const records = recordsOf(relay);
    const controller = new AbortController();
    const started = Date.now();
    const pending = post(relay, body, controller.signal).catch(() => undefined);
    await upstream.waitForRequests(1);
    controller.abort();
    await pending;
    // The wait between attempts ends at once...
    const record = await pollUntil(() => records.find((entry) => entry.outcome !== 'pending'), { timeoutMs: 350, what: 'the request record' });
    expect(record.outcome).toBe('aborted');
    // ...and when the key would have come back, nothing is sent for the departed client.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 550 - Date.now())));
    expect(upstream.chatRequests()).toHaveLength(1);
  });
});
