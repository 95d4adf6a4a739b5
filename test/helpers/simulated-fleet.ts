import type { HttpClient, HttpRequest, HttpResponse } from '../../relay/providers/http-client.js';
import type { FakeClock } from './fake-clock.js';

/**
 * A fleet of simulated OpenAI-compatible upstreams that live in virtual time: an HttpClient that
 * answers without sockets and advances a FakeClock as its answers "take" time. Thousands of
 * routed requests run in milliseconds, deterministically, through the relay's real code.
 */

export interface SimulatedProvider {
  /** Time to first token, virtual milliseconds. */
  ttftMs: number;
  tokensPerSecond: number;
  /** Chance (0..1) that a request fails, drawn from a seeded generator. */
  failureRate?: number;
  /** How a failure looks. */
  failure?: { status: number; retryAfterSeconds?: number };
  /** Overrides the random draw: called per chat request, true means fail. */
  fails?: (callIndex: number, now: number) => boolean;
  models?: string[];
  outputTokens?: number;
  /** Extra headers on successful answers (rate-limit bookkeeping). */
  headers?: (callIndex: number) => Record<string, string>;
}

export interface FleetStats {
  chat: number;
  probes: number;
  live: number;
  failures: number;
}

export interface SimulatedFleet {
  http: HttpClient;
  /** The base URL to configure for a provider id. */
  baseUrl(id: string): string;
  stats(id: string): FleetStats;
  set(id: string, provider: Partial<SimulatedProvider>): void;
}

const PROBE_MARKER = 'Count from 1 to 20';

/** A small seeded random generator: the same seed gives the same sequence on every run. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function response(status: number, headers: Record<string, string>, body: AsyncIterable<Uint8Array>): HttpResponse {
  return {
    status,
    headers,
    body,
    text: async () => {
      let text = '';
      for await (const chunk of body) text += Buffer.from(chunk).toString('utf8');
      return text;
    },
    dump: async () => undefined,
  };
}

async function* once(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

export function createSimulatedFleet(clock: FakeClock, providers: Record<string, SimulatedProvider>, seed = 42): SimulatedFleet {
  const random = mulberry32(seed);
  const configs = new Map(Object.entries(providers));
  const stats = new Map<string, FleetStats>();
  const calls = new Map<string, number>();
  const statsOf = (id: string) => {
    let entry = stats.get(id);
    if (!entry) {
      entry = { chat: 0, probes: 0, live: 0, failures: 0 };
      stats.set(id, entry);
    }
    return entry;
  };

  const http: HttpClient = async (request: HttpRequest) => {
    const url = new URL(request.url);
    const id = url.hostname.replace(/\.sim\.invalid$/, '');
    const config = configs.get(id);
    if (!config) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    if (request.method === 'GET' && url.pathname.endsWith('/models')) {
      const data = (config.models ?? ['sim-model']).map((model) => ({ id: model, object: 'model', created: 0, owned_by: id }));
      return response(200, { 'content-type': 'application/json' }, once(JSON.stringify({ object: 'list', data })));
    }
    const body = JSON.parse(request.body ?? '{}') as { model?: string; messages?: Array<{ content?: unknown }> };
    const probe = JSON.stringify(body.messages ?? []).includes(PROBE_MARKER);
    const entry = statsOf(id);
    const index = calls.get(id) ?? 0;
    calls.set(id, index + 1);
    entry.chat++;
    if (probe) entry.probes++;
    else entry.live++;
    const draw = random();
    const failing = config.fails ? config.fails(index, clock.now()) : draw < (config.failureRate ?? 0);
    if (failing) {
      entry.failures++;
      clock.advance(Math.min(50, config.ttftMs));
      const failure = config.failure ?? { status: 503 };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
      return response(failure.status, headers, once(JSON.stringify({ error: { message: `simulated ${failure.status}`, type: 'server_error' } })));
    }
    const tokens = config.outputTokens ?? 20;
    const model = body.model ?? 'sim-model';
    async function* stream(): AsyncGenerator<Uint8Array> {
      const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
        Buffer.from(`data: ${JSON.stringify({ id: 'sim', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
      clock.advance(config!.ttftMs);
      yield chunk({ role: 'assistant', content: '1' });
      for (let token = 2; token <= tokens; token++) {
        clock.advance(1000 / config!.tokensPerSecond);
        yield chunk({ content: ` ${token}` });
      }
      yield chunk({}, 'stop');
      yield Buffer.from(`data: ${JSON.stringify({ id: 'sim', object: 'chat.completion.chunk', created: 0, model, choices: [], usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens } })}\n\n`);
      yield Buffer.from('data: [DONE]\n\n');
    }
    return response(200, { 'content-type': 'text/event-stream', ...(config.headers?.(index) ?? {}) }, stream());
  };

  return {
    http,
    baseUrl: (id) => `http://${id}.sim.invalid/v1`,
    stats: (id) => statsOf(id),
    set: (id, provider) => configs.set(id, { ...(configs.get(id) ?? { ttftMs: 100, tokensPerSecond: 50 }), ...provider }),
  };
}
