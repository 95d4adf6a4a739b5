/**
 * Per-test resource tracking: every fake upstream and relay a test starts is closed by
 * `closeAll()` (call it from afterEach), even when the test fails half-way.
 */
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from './fake-upstream.js';
import { endpointsConfig, startTestRelay, type StartRelayOptions, type TestRelay } from './start-relay.js';
import { FAST_TIMEOUTS } from './http.js';

export interface Harness {
  upstream(options?: FakeUpstreamOptions): Promise<FakeUpstream>;
  relay(options?: StartRelayOptions): Promise<TestRelay>;
  /** One relay in front of the given upstreams (one custom endpoint each, priority in order). */
  relayFor(
    endpoints: Array<{ id: string; upstream: FakeUpstream; keys?: Array<{ id: string; label: string; models?: string[] }>; models?: string[] }>,
    options?: { extra?: Record<string, unknown>; secrets?: Record<string, string>; env?: Record<string, string | undefined> },
  ): Promise<TestRelay>;
  /** Log lines of every relay started here that report an internal error (a bug, never expected). */
  internalErrors(): string[];
  closeAll(): Promise<void>;
}

export function createHarness(): Harness {
  const open: Array<() => Promise<void>> = [];
  const relays: TestRelay[] = [];
  const harness: Harness = {
    async upstream(options) {
      const upstream = await startFakeUpstream(options);
      open.push(() => upstream.close());
      return upstream;
    },
    async relay(options) {
      const relay = await startTestRelay(options);
      relays.push(relay);
      open.push(() => relay.close());
      return relay;
    },
    relayFor(endpoints, options = {}) {
      const config = endpointsConfig(
        endpoints.map(({ id, upstream, keys, models }) => ({
          id,
          baseUrl: upstream.url,
          models: models ?? ['fake-small'],
          ...(keys ? { keys } : {}),
        })),
        {
          ...options.extra,
          timeouts: { ...FAST_TIMEOUTS, ...(options.extra?.timeouts as object | undefined) },
          routing: { priority: endpoints.map((endpoint) => endpoint.id), maxRetryWaitMs: 0, ...(options.extra?.routing as object | undefined) },
        },
      );
      return harness.relay({
        config,
        ...(options.secrets ? { secrets: options.secrets } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    },
    internalErrors() {
      return relays.flatMap((relay) => relay.logs.filter((line) => line.startsWith('error:')));
    },
    async closeAll() {
      // Relays first (they hold connections to the upstreams), then the upstreams.
      relays.length = 0;
      const closers = open.splice(0).reverse();
      for (const close of closers) await close().catch(() => undefined);
    },
  };
  return harness;
}

/** The official SDK pointed at a test relay: no retries, so every request is exactly one call. */
export function sdkFor(relay: TestRelay, options: { apiKey?: string; v1?: boolean } = {}): OpenAI {
  return new OpenAI({ baseURL: options.v1 === false ? relay.url : `${relay.url}/v1`, apiKey: options.apiKey ?? 'sk-local-unused', maxRetries: 0, timeout: 10_000 });
}
