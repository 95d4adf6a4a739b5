import { describe, expect, it } from 'vitest';
import { allDown, decideNotices, healthSnapshot, rejectedKeysOf, routeCounts, type RouteHealth } from '../../electron/health-notices.js';

const route = (provider: string, status: string, servable = true): RouteHealth => ({ provider, status, servable });

const healthy = healthSnapshot([route('groq', 'up'), route('cerebras', 'slow'), route('mistral', 'unknown')]);
const degraded = healthSnapshot([route('groq', 'down'), route('cerebras', 'up')]);
const everyDown = healthSnapshot([route('groq', 'down'), route('cerebras', 'rate-limited'), route('mistral', 'unknown')]);

describe('routeCounts and healthSnapshot', () => {
  it('counts servable routes up (up, slow) and failing (down, rate-limited, key rejected)', () => {
    expect(routeCounts([route('a', 'up'), route('a', 'slow'), route('b', 'down'), route('b', 'rate-limited'), route('c', 'key-rejected'), route('d', 'unknown'), route('e', 'up', false)])).toEqual({ up: 2, failing: 3 });
  });

  it('is all down only when something was measured failing and nothing answers', () => {
    expect(allDown(everyDown)).toBe(true);
    expect(allDown(degraded)).toBe(false);
    expect(allDown(healthSnapshot([route('groq', 'unknown')]))).toBe(false);
    expect(allDown(healthSnapshot([]))).toBe(false);
  });

  it('names providers whose every servable route has its keys rejected', () => {
    const snapshot = healthSnapshot([route('groq', 'key-rejected'), route('groq', 'key-rejected'), route('cerebras', 'key-rejected'), route('cerebras', 'up'), route('off', 'disabled', false)]);
    expect(snapshot.rejectedProviders).toEqual(['groq']);
  });
});

describe('rejectedKeysOf', () => {
  it('finds keys refused with 401/403 or 402, and ignores keyless calls and other failures', () => {
    expect(
      rejectedKeysOf({
        attempts: [
          { provider: 'groq', keyLabel: 'main', outcome: 'auth', status: 401 },
          { provider: 'openrouter', keyLabel: 'spare', outcome: 'payment', status: 402 },
          { provider: 'groq', outcome: 'auth', message: 'every key is disabled' },
          { provider: 'cerebras', keyLabel: 'one', outcome: 'rate-limited', status: 429 },
          { provider: 'cerebras', keyLabel: 'one', outcome: 'ok' },
        ],
      }),
    ).toEqual([
      { provider: 'groq', keyLabel: 'main', reason: 'rejected', status: 401 },
      { provider: 'openrouter', keyLabel: 'spare', reason: 'no-credit', status: 402 },
    ]);
    expect(rejectedKeysOf({})).toEqual([]);
  });
});

describe('decideNotices', () => {
  it('says nothing with notifications off (the default)', () => {
    expect(decideNotices(healthy, everyDown, false)).toEqual([]);
    const rejected = healthSnapshot([route('groq', 'up')], { 'groq/main': { provider: 'groq', keyLabel: 'main', reason: 'rejected', status: 401 } });
    expect(decideNotices(healthy, rejected, false)).toEqual([]);
  });

  it('takes the first snapshot as the baseline', () => {
    expect(decideNotices(undefined, everyDown, true)).toEqual([]);
  });

  it('notifies once when every provider goes down, not while it stays down, and again after a recovery', () => {
    const first = decideNotices(healthy, everyDown, true);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ id: 'all-down', title: 'No provider is answering' });
    expect(decideNotices(everyDown, everyDown, true)).toEqual([]);
    expect(decideNotices(everyDown, healthSnapshot([route('groq', 'down'), route('cerebras', 'down')]), true)).toEqual([]);
    expect(decideNotices(everyDown, healthy, true)).toEqual([]);
    expect(decideNotices(healthy, degraded, true)).toEqual([]);
    expect(decideNotices(degraded, everyDown, true).map((notice) => notice.id)).toEqual(['all-down']);
  });

  it('notifies once per newly rejected key, naming provider, key and status', () => {
    const key = { provider: 'groq', keyLabel: 'main', reason: 'rejected' as const, status: 401 };
    const one = healthSnapshot([route('groq', 'up')], { 'groq/main': key });
    const [notice, ...rest] = decideNotices(healthy, one, true);
    expect(rest).toEqual([]);
    expect(notice).toEqual({
      id: 'key:groq/main',
      title: 'groq: a key was refused',
      body: 'The key "main" was rejected (401); Switchboard stopped using it. Replace it in the dashboard.',
    });
    expect(decideNotices(one, one, true)).toEqual([]);
    const two = healthSnapshot([route('groq', 'up')], { 'groq/main': key, 'openrouter/spare': { provider: 'openrouter', keyLabel: 'spare', reason: 'no-credit' } });
    expect(decideNotices(one, two, true).map((entry) => [entry.id, entry.body])).toEqual([
      ['key:openrouter/spare', 'The key "spare" has no credit left; Switchboard stopped using it. Replace it in the dashboard.'],
    ]);
  });

  it('reports a provider whose every key is refused once, and not on top of the key just named', () => {
    const allRejected = healthSnapshot([route('groq', 'key-rejected'), route('cerebras', 'up')]);
    expect(decideNotices(healthy, allRejected, true).map((notice) => notice.id)).toEqual(['provider-keys:groq']);
    expect(decideNotices(allRejected, allRejected, true)).toEqual([]);
    const named = healthSnapshot([route('groq', 'key-rejected'), route('cerebras', 'up')], { 'groq/main': { provider: 'groq', keyLabel: 'main', reason: 'rejected' } });
    expect(decideNotices(healthy, named, true).map((notice) => notice.id)).toEqual(['key:groq/main']);
    // The named key forgotten after a settings change, the provider still refused: old news.
    expect(decideNotices(named, allRejected, true)).toEqual([]);
  });

  it('reports everything that happened at once', () => {
    const both = healthSnapshot([route('groq', 'key-rejected'), route('cerebras', 'down')], { 'groq/main': { provider: 'groq', keyLabel: 'main', reason: 'rejected' } });
    expect(decideNotices(healthy, both, true).map((notice) => notice.id)).toEqual(['all-down', 'key:groq/main']);
  });
});
