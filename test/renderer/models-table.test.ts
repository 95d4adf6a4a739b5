import { describe, expect, it } from 'vitest';
import type { QosRouteView } from '../../relay/admin/dto.js';
import { banSet, buildTable, compareBy, defaultDirection, groupRoutes, isAvailable, isBanned, routeMatches, type TableFilters } from '../../renderer/lib/state/models-table.js';

function route(id: string, fields: Partial<QosRouteView> = {}): QosRouteView {
  const [provider = '', model = ''] = id.split('/');
  return { id, provider, model, group: model, status: 'up', servable: true, free: true, capabilities: {}, samples: 0, recentTtftMs: [], probesToday: 0, keys: [], ...fields };
}

const noFilters: TableFilters = { search: '', status: 'all', freeOnly: false, capabilities: [] };

describe('grouping routes into models', () => {
  const routes = [
    route('groq/llama-3.3-70b-versatile', { group: 'llama-3.3-70b', ttftP50Ms: 300, ttftP95Ms: 900, tokensPerSecond: 250, uptime1h: 0.9, contextWindow: 131072, capabilities: { tools: true }, lastError: { message: 'old', at: '2025-01-01T00:00:00.000Z' } }),
    route('nvidia/meta/llama-3.3-70b-instruct', { provider: 'nvidia', model: 'meta/llama-3.3-70b-instruct', group: 'llama-3.3-70b', ttftP50Ms: 200, ttftP95Ms: 1200, tokensPerSecond: 40, uptime1h: 1, contextWindow: 32768, free: false, capabilities: { json: true }, lastError: { message: 'newer', at: '2025-01-02T00:00:00.000Z' } }),
    route('local/qwen3-8b', { group: 'qwen-3-8b', status: 'down', servable: true }),
  ];

  it('makes one group per model group, in first-seen order, with its routes', () => {
    const groups = groupRoutes(routes);
    expect(groups.map((group) => group.id)).toEqual(['llama-3.3-70b', 'qwen-3-8b']);
    expect(groups[0]?.routes.map((entry) => entry.id)).toEqual(['groq/llama-3.3-70b-versatile', 'nvidia/meta/llama-3.3-70b-instruct']);
    expect(groups[0]?.providers).toEqual(['groq', 'nvidia']);
  });

  it('adds up the best of its routes: fastest TTFT, best speed and uptime, largest window, every capability', () => {
    const [llama] = groupRoutes(routes);
    expect(llama).toMatchObject({
      status: 'up',
      ttftP50Ms: 200,
      ttftP95Ms: 900,
      tokensPerSecond: 250,
      uptime1h: 1,
      contextWindow: 131072,
      capabilities: { tools: true, json: true },
      free: true,
      paid: true,
      servableCount: 2,
      bannedCount: 0,
      banned: false,
    });
    expect(llama?.best.id).toBe('nvidia/meta/llama-3.3-70b-instruct');
    expect(llama?.lastError).toEqual({ message: 'newer', at: '2025-01-02T00:00:00.000Z', route: 'nvidia/meta/llama-3.3-70b-instruct' });
  });

  it('takes the best status of the routes, and leaves unknown numbers out', () => {
    const groups = groupRoutes([route('a/m', { status: 'down' }), route('b/m', { status: 'slow' }), route('c/m', { status: 'rate-limited' })]);
    expect(groups[0]?.status).toBe('slow');
    expect(groups[0]).not.toHaveProperty('ttftP50Ms');
    expect(groups[0]).not.toHaveProperty('tokensPerSecond');
  });

  it('leaves banned routes out of the figures but keeps them in the group', () => {
    const bans = banSet(['nvidia/meta/llama-3.3-70b-instruct']);
    const [llama] = groupRoutes(routes, bans);
    expect(llama?.routes).toHaveLength(2);
    expect(llama?.bannedCount).toBe(1);
    expect(llama?.servableCount).toBe(1);
    expect(llama?.ttftP50Ms).toBe(300);
    expect(llama?.best.id).toBe('groq/llama-3.3-70b-versatile');
  });

  it('treats a ban on the group as a ban on every route, case-insensitively', () => {
    const bans = banSet(['LLAMA-3.3-70B']);
    expect(isBanned(routes[0] as QosRouteView, bans)).toBe(true);
    const [llama] = groupRoutes(routes, bans);
    expect(llama?.banned).toBe(true);
    expect(llama?.servableCount).toBe(0);
    // With every route banned the figures still describe the routes.
    expect(llama?.ttftP50Ms).toBe(200);
  });
});

describe('sorting', () => {
  const rows = [
    route('a/slow', { ttftP50Ms: 900, tokensPerSecond: 20, uptime1h: 0.5, status: 'slow' }),
    route('b/none', { status: 'unknown' }),
    route('c/fast', { ttftP50Ms: 100, tokensPerSecond: 300, uptime1h: 1, status: 'up' }),
    route('d/down', { ttftP50Ms: 400, tokensPerSecond: 80, uptime1h: 0.2, status: 'down' }),
  ];
  const ids = (list: QosRouteView[]) => list.map((entry) => entry.id);

  it('sorts by name both ways', () => {
    expect(ids([...rows].sort(compareBy({ key: 'name', direction: 'ascending' })))).toEqual(['a/slow', 'b/none', 'c/fast', 'd/down']);
    expect(ids([...rows].sort(compareBy({ key: 'name', direction: 'descending' })))).toEqual(['d/down', 'c/fast', 'b/none', 'a/slow']);
  });

  it('sorts numbers with unmeasured rows last in either direction', () => {
    expect(ids([...rows].sort(compareBy({ key: 'ttft', direction: 'ascending' })))).toEqual(['c/fast', 'd/down', 'a/slow', 'b/none']);
    expect(ids([...rows].sort(compareBy({ key: 'ttft', direction: 'descending' })))).toEqual(['a/slow', 'd/down', 'c/fast', 'b/none']);
    expect(ids([...rows].sort(compareBy({ key: 'speed', direction: 'descending' })))).toEqual(['c/fast', 'd/down', 'a/slow', 'b/none']);
    expect(ids([...rows].sort(compareBy({ key: 'uptime', direction: 'descending' })))).toEqual(['c/fast', 'a/slow', 'd/down', 'b/none']);
  });

  it('sorts by status best first, then by speed', () => {
    const withTie = [...rows, route('e/also-up', { ttftP50Ms: 50, status: 'up' })];
    expect(ids(withTie.sort(compareBy({ key: 'status', direction: 'ascending' })))).toEqual(['e/also-up', 'c/fast', 'a/slow', 'b/none', 'd/down']);
  });

  it('opens speed and uptime on the best values, the rest ascending', () => {
    expect(defaultDirection('speed')).toBe('descending');
    expect(defaultDirection('uptime')).toBe('descending');
    expect(defaultDirection('ttft')).toBe('ascending');
    expect(defaultDirection('name')).toBe('ascending');
  });
});

describe('filtering and search', () => {
  const routes = [
    route('groq/llama-3.3-70b-versatile', { group: 'llama-3.3-70b', capabilities: { tools: true, json: true } }),
    route('openrouter/llama-3.3-70b', { group: 'llama-3.3-70b', free: false, status: 'rate-limited', capabilities: { tools: true, vision: true } }),
    route('mistral/codestral-2501', { group: 'codestral', status: 'key-missing', servable: false, capabilities: { reasoning: true } }),
    route('local/qwen3', { group: 'qwen-3', status: 'unknown' }),
  ];
  const match = (filters: Partial<TableFilters>) => routes.filter((entry) => routeMatches(entry, { ...noFilters, includeUnavailable: true, ...filters })).map((entry) => entry.id);

  it('searches model, provider and group, every word, ignoring case', () => {
    expect(match({ search: 'GROQ' })).toEqual(['groq/llama-3.3-70b-versatile']);
    expect(match({ search: 'codestral' })).toEqual(['mistral/codestral-2501']);
    expect(match({ search: 'llama router' })).toEqual(['openrouter/llama-3.3-70b']);
    expect(match({ search: '  ' })).toHaveLength(4);
    expect(match({ search: 'nothing-like-this' })).toEqual([]);
  });

  it('filters by status: up (servable and answering) or problems', () => {
    expect(match({ status: 'up' })).toEqual(['groq/llama-3.3-70b-versatile']);
    expect(match({ status: 'problems' })).toEqual(['openrouter/llama-3.3-70b', 'mistral/codestral-2501']);
  });

  it('filters free routes and capabilities (all of those asked)', () => {
    expect(match({ freeOnly: true })).toEqual(['groq/llama-3.3-70b-versatile', 'mistral/codestral-2501', 'local/qwen3']);
    expect(match({ capabilities: ['tools'] })).toEqual(['groq/llama-3.3-70b-versatile', 'openrouter/llama-3.3-70b']);
    expect(match({ capabilities: ['tools', 'vision'] })).toEqual(['openrouter/llama-3.3-70b']);
    expect(match({ capabilities: ['reasoning'] })).toEqual(['mistral/codestral-2501']);
  });

  it('leaves out providers that are not set up or turned off unless asked', () => {
    const missing = routes.find((entry) => entry.status === 'key-missing') as QosRouteView;
    expect(isAvailable(missing)).toBe(false);
    expect(isAvailable(route('x/y', { status: 'disabled' }))).toBe(false);
    expect(isAvailable(route('x/y', { status: 'down' }))).toBe(true);
    expect(routeMatches(missing, noFilters)).toBe(false);
  });

  it('builds the table from what matches: groups keep only matching routes, banned routes go last', () => {
    const table = buildTable(routes, { ...noFilters, search: 'llama' }, { key: 'name', direction: 'ascending' }, ['groq/llama-3.3-70b-versatile']);
    expect(table.map((group) => group.id)).toEqual(['llama-3.3-70b']);
    expect(table[0]?.routes.map((entry) => entry.id)).toEqual(['openrouter/llama-3.3-70b', 'groq/llama-3.3-70b-versatile']);
    expect(buildTable(routes, { ...noFilters, freeOnly: true, includeUnavailable: true }, { key: 'name', direction: 'descending' }).map((group) => group.id)).toEqual(['qwen-3', 'llama-3.3-70b', 'codestral']);
    expect(buildTable(routes, { ...noFilters, freeOnly: true }, { key: 'name', direction: 'descending' }).map((group) => group.id)).toEqual(['qwen-3', 'llama-3.3-70b']);
  });

  it('handles a fleet of 300 routes', () => {
    const fleet = Array.from({ length: 300 }, (_, index) => route(`p${index % 3}/model-${Math.floor(index / 3)}`, { group: `model-${Math.floor(index / 3)}`, ttftP50Ms: (index * 37) % 1000 }));
    const table = buildTable(fleet, noFilters, { key: 'ttft', direction: 'ascending' });
    expect(table).toHaveLength(100);
    expect(table.every((group) => group.routes.length === 3)).toBe(true);
    const ttfts = table.map((group) => group.ttftP50Ms ?? Infinity);
    expect(ttfts).toEqual([...ttfts].sort((a, b) => a - b));
  });
});
