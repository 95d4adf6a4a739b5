import { describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../../relay/routing/route-entry.js';
import { publicIds, resolveModel, suggestIds, type Resolution, type SelectOptions } from '../../../relay/routing/select-route.js';

function route(providerId: string, model: string, extra: Partial<RouteEntry> = {}): RouteEntry {
  return { providerId, model, capabilities: {}, free: true, rank: 0, ...extra };
}

const noNeeds = { tools: false, vision: false, json: false };
const chat: SelectOptions = { policy: 'free-first', needs: noNeeds };

function ids(resolution: Resolution): string[] {
  if (resolution.kind !== 'routes') throw new Error(`expected routes, got ${JSON.stringify(resolution)}`);
  return resolution.candidates.map((candidate) => `${candidate.providerId}/${candidate.model}`);
}

describe('resolveModel: explicit ids', () => {
  const routes = [
    route('groq', 'llama-3.3-70b', { rank: 1 }),
    route('cerebras', 'llama-3.3-70b', { rank: 0 }),
    route('nvidia', 'meta/llama-3.3-70b-instruct', { rank: 2 }),
    route('openrouter', 'meta/llama-3.3-70b-instruct', { rank: 3 }),
  ];

  it('honours provider/model exactly', () => {
    const resolution = resolveModel('groq/llama-3.3-70b', routes, chat);
    expect(ids(resolution)).toEqual(['groq/llama-3.3-70b']);
    expect(resolution).toMatchObject({ virtual: false });
  });

  it('resolves provider/model when the model id itself has slashes', () => {
    expect(ids(resolveModel('nvidia/meta/llama-3.3-70b-instruct', routes, chat))).toEqual(['nvidia/meta/llama-3.3-70b-instruct']);
  });

  it('orders a bare id served by two providers by priority', () => {
    expect(ids(resolveModel('llama-3.3-70b', routes, chat))).toEqual(['cerebras/llama-3.3-70b', 'groq/llama-3.3-70b']);
    expect(ids(resolveModel('meta/llama-3.3-70b-instruct', routes, chat))).toEqual(['nvidia/meta/llama-3.3-70b-instruct', 'openrouter/meta/llama-3.3-70b-instruct']);
  });

  it('puts free routes first under free-first, and keeps pure priority under any', () => {
    const mixed = [route('paid', 'm', { rank: 0, free: false }), route('free', 'm', { rank: 1, free: true })];
    expect(ids(resolveModel('m', mixed, chat))).toEqual(['free/m', 'paid/m']);
    expect(ids(resolveModel('m', mixed, { policy: 'any', needs: noNeeds }))).toEqual(['paid/m', 'free/m']);
  });

  it('matches case-insensitively when nothing matches exactly, and trims', () => {
    expect(ids(resolveModel('LLAMA-3.3-70B', routes, chat))).toEqual(['cerebras/llama-3.3-70b', 'groq/llama-3.3-70b']);
    expect(ids(resolveModel('  groq/llama-3.3-70b ', routes, chat))).toEqual(['groq/llama-3.3-70b']);
  });

  it('does not filter explicit ids by capabilities', () => {
    const limited = [route('p', 'text-only', { capabilities: { tools: false, vision: false } })];
    expect(ids(resolveModel('text-only', limited, { policy: 'free-first', needs: { tools: true, vision: true, json: true } }))).toEqual(['p/text-only']);
  });
});

describe('resolveModel: auto-fastest', () => {
  it('picks every chat route in priority order, never embedding models', () => {
    const routes = [route('b', 'chat-b', { rank: 1 }), route('a', 'chat-a', { rank: 0 }), route('a', 'embed', { rank: 0, capabilities: { embeddings: true } })];
    const resolution = resolveModel('auto-fastest', routes, chat);
    expect(ids(resolution)).toEqual(['a/chat-a', 'b/chat-b']);
    expect(resolution).toMatchObject({ virtual: true });
    expect(ids(resolveModel('auto', routes, chat))).toEqual(['a/chat-a', 'b/chat-b']);
    expect(ids(resolveModel('Auto-Fastest', routes, chat))).toEqual(['a/chat-a', 'b/chat-b']);
  });

  it('picks only embedding models for embeddings', () => {
    const routes = [route('a', 'chat-a'), route('a', 'embed', { capabilities: { embeddings: true } })];
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'free-first', embeddings: true }))).toEqual(['a/embed']);
  });

  it('drops routes that cannot do tools, and tries known tool support before unknown', () => {
    const routes = [
      route('unknown', 'u', { rank: 0 }),
      route('no', 'n', { rank: 1, capabilities: { tools: false } }),
      route('yes', 'y', { rank: 2, capabilities: { tools: true } }),
    ];
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'free-first', needs: { ...noNeeds, tools: true } }))).toEqual(['yes/y', 'unknown/u']);
    expect(ids(resolveModel('auto-fastest', routes, chat))).toEqual(['unknown/u', 'no/n', 'yes/y']);
  });

  it('drops routes without vision for image requests, and without JSON mode for JSON requests', () => {
    const routes = [route('text', 't', { rank: 0, capabilities: { vision: false, json: false } }), route('eyes', 'e', { rank: 1, capabilities: { vision: true } })];
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'free-first', needs: { ...noNeeds, vision: true } }))).toEqual(['eyes/e']);
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'free-first', needs: { ...noNeeds, json: true } }))).toEqual(['eyes/e']);
  });

  it('drops routes whose context window is too small', () => {
    const routes = [route('small', 's', { contextWindow: 8192 }), route('big', 'b', { rank: 1, contextWindow: 131_072 }), route('unknown', 'u', { rank: 2 })];
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'free-first', needs: { ...noNeeds, minContextTokens: 20_000 } }))).toEqual(['big/b', 'unknown/u']);
  });

  it('says why nothing is suitable', () => {
    const routes = [route('a', 'x', { capabilities: { tools: false } })];
    const resolution = resolveModel('auto-fastest', routes, { policy: 'free-first', needs: { ...noNeeds, tools: true } });
    expect(resolution.kind).toBe('unsuitable');
    expect(resolution.kind === 'unsuitable' && resolution.reason).toMatch(/tools/);
  });

  it('uses only free routes under free-only, and says so when there are none', () => {
    const routes = [route('paid', 'p', { rank: 0, free: false }), route('free', 'f', { rank: 1 })];
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'free-only', needs: noNeeds }))).toEqual(['free/f']);
    const none = resolveModel('auto-fastest', [route('paid', 'p', { free: false })], { policy: 'free-only', needs: noNeeds });
    expect(none.kind).toBe('unsuitable');
    expect(none.kind === 'unsuitable' && none.reason).toMatch(/free/);
  });

  it('orders free before paid under free-first, and by priority alone under any', () => {
    const routes = [route('paid', 'p', { rank: 0, free: false }), route('free', 'f', { rank: 1 })];
    expect(ids(resolveModel('auto-fastest', routes, chat))).toEqual(['free/f', 'paid/p']);
    expect(ids(resolveModel('auto-fastest', routes, { policy: 'any', needs: noNeeds }))).toEqual(['paid/p', 'free/f']);
  });
});

describe('resolveModel: unknown ids', () => {
  const routes = [route('groq', 'llama-3.3-70b-versatile'), route('groq', 'llama-3.1-8b-instant'), route('fake', 'fake-small')];

  it('answers not-found with the nearest ids', () => {
    const resolution = resolveModel('fake-smal', routes, chat);
    expect(resolution).toEqual({ kind: 'not-found', suggestions: expect.arrayContaining(['fake-small']) });
    expect(resolution.kind === 'not-found' && resolution.suggestions[0]).toBe('fake-small');
  });

  it('suggests ids that contain what was typed', () => {
    const resolution = resolveModel('llama-3.3', routes, chat);
    expect(resolution.kind === 'not-found' && resolution.suggestions).toContain('llama-3.3-70b-versatile');
  });

  it('suggests nothing for something unrelated', () => {
    expect(resolveModel('zzzzzzzzzzzzzzzzzzzz', routes, chat)).toEqual({ kind: 'not-found', suggestions: [] });
  });
});

describe('suggestIds and publicIds', () => {
  it('lists virtual ids, bare ids and provider/model ids once each', () => {
    const list = publicIds([route('a', 'm'), route('b', 'm')]);
    expect(list).toEqual(expect.arrayContaining(['auto-fastest', 'm', 'a/m', 'b/m']));
    expect(new Set(list).size).toBe(list.length);
  });

  it('ranks closer ids first and caps the list', () => {
    expect(suggestIds('gpt-4o', ['gpt-4o-mini', 'gpt-4.1', 'gpt-4o-2024', 'o3', 'claude'], 2)).toEqual(['gpt-4o-2024', 'gpt-4o-mini']);
    expect(suggestIds('gpt-4o', ['gpt-4o-long-name', 'gpt-4o-mini'])[0]).toBe('gpt-4o-mini');
    expect(suggestIds('', ['a'])).toEqual([]);
  });

  it('stays fast on a 10 000-character id', () => {
    const started = Date.now();
    suggestIds('x'.repeat(10_000), Array.from({ length: 500 }, (_, index) => `model-${index}`));
    expect(Date.now() - started).toBeLessThan(500);
  });
});
