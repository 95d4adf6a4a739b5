import { describe, expect, it } from 'vitest';
import { QosTracker } from '../../../relay/routing/qos-tracker.js';
import { rankRoutes, type RankInput } from '../../../relay/routing/rank-routes.js';
import { routeId, type RouteEntry } from '../../../relay/routing/route-entry.js';

const route = (providerId: string, model: string, rank = 0): RouteEntry => ({ providerId, model, capabilities: {}, free: true, rank });
const fast = route('a', 'llama-3.3-70b-versatile', 2);
const medium = route('b', 'meta/llama-3.3-70b-instruct', 1);
const slow = route('c', 'gpt-oss-120b', 0);
const fresh = route('d', 'new-model', 3);

function input(tracker: QosTracker, overrides: Partial<RankInput> = {}): RankInput {
  return {
    candidates: [slow, medium, fast, fresh],
    qos: (candidate) => tracker.get(routeId(candidate), 1_000),
    resting: () => false,
    now: 1_000,
    expectedOutputTokens: 100,
    random: () => 0.99,
    explorationRate: 0.05,
    ...overrides,
  };
}

function measured(): QosTracker {
  const tracker = new QosTracker();
  const sample = (candidate: RouteEntry, ttftMs: number) => tracker.record(routeId(candidate), { at: 500, source: 'probe', outcome: 'ok', ttftMs, tokensPerSecond: 100 });
  sample(fast, 100);
  sample(medium, 300);
  sample(slow, 900);
  return tracker;
}

const ids = (routes: RouteEntry[]) => routes.map(routeId);

describe('rankRoutes', () => {
  it('orders by measured speed; an unmeasured route counts as a little slower than the typical one', () => {
    const ranking = rankRoutes(input(measured()));
    // d is rated at 1.25 × the median TTFT (300 ms): behind a and b, ahead of the slow c.
    expect(ids(ranking.ordered)).toEqual(['a/llama-3.3-70b-versatile', 'b/meta/llama-3.3-70b-instruct', 'd/new-model', 'c/gpt-oss-120b']);
  });

  it('puts resting routes last and down routes behind healthy ones', () => {
    const tracker = measured();
    tracker.record(routeId(fast), { at: 900, source: 'live', outcome: 'server', error: 'HTTP 503' });
    const ranking = rankRoutes(input(tracker, { resting: (candidate) => candidate === medium }));
    expect(ids(ranking.ordered)).toEqual(['d/new-model', 'c/gpt-oss-120b', 'a/llama-3.3-70b-versatile', 'b/meta/llama-3.3-70b-instruct']);
  });

  it('honours a group pin and an exact pin, and says when a pin cannot be honoured', () => {
    const tracker = measured();
    const group = rankRoutes(input(tracker, { pin: { kind: 'group', target: 'gpt-oss-120b' } }));
    expect(routeId(group.ordered[0] as RouteEntry)).toBe('c/gpt-oss-120b');
    expect(group.pin).toEqual({ target: 'gpt-oss-120b', honoured: true });
    const exact = rankRoutes(input(tracker, { pin: { kind: 'route', target: 'b/meta/llama-3.3-70b-instruct' } }));
    expect(routeId(exact.ordered[0] as RouteEntry)).toBe('b/meta/llama-3.3-70b-instruct');
    tracker.record(routeId(slow), { at: 950, source: 'live', outcome: 'timeout' });
    const fallback = rankRoutes(input(tracker, { pin: { kind: 'group', target: 'gpt-oss-120b' } }));
    expect(fallback.pin?.honoured).toBe(false);
    expect(routeId(fallback.ordered[0] as RouteEntry)).toBe('a/llama-3.3-70b-versatile');
  });

  it('keeps a conversation on its route unless another is clearly faster', () => {
    const tracker = measured();
    expect(routeId(rankRoutes(input(tracker, { affinity: routeId(medium) })).ordered[0] as RouteEntry)).toBe(routeId(medium));
    // 900 ms + output vs 100 ms + output: far more than 1.5 times as slow, so the conversation moves.
    expect(routeId(rankRoutes(input(tracker, { affinity: routeId(slow), expectedOutputTokens: 1 })).ordered[0] as RouteEntry)).toBe(routeId(fast));
  });

  it('explores an unmeasured route now and then', () => {
    const ranking = rankRoutes(input(measured(), { random: () => 0.01 }));
    expect(ranking.explored).toBe('d/new-model');
    expect(routeId(ranking.ordered[0] as RouteEntry)).toBe('d/new-model');
    expect(rankRoutes(input(measured(), { random: () => 0.5 })).explored).toBeUndefined();
  });
});
