import { describe, expect, it } from 'vitest';
import type { QosRouteView } from '../../relay/admin/dto.js';
import { applyHeldOrder, holdOrder, reuseUnchanged } from '../../renderer/lib/state/models-order.js';
import { buildTable, type TableFilters } from '../../renderer/lib/state/models-table.js';

function route(id: string, fields: Partial<QosRouteView> = {}): QosRouteView {
  const [provider = '', model = ''] = id.split('/');
  return { id, provider, model, group: model, status: 'up', servable: true, free: true, capabilities: {}, samples: 0, recentTtftMs: [], probesToday: 0, keys: [], ...fields };
}

const noFilters: TableFilters = { search: '', status: 'all', freeOnly: false, capabilities: [] };

describe('holding the row order during live updates', () => {
  const sort = { key: 'ttft', direction: 'ascending' } as const;

  it('keeps groups and routes where they were, and puts new ones after them in sorted order', () => {
    const before = buildTable([route('a/x', { ttftP50Ms: 100 }), route('b/x', { ttftP50Ms: 200 }), route('c/y', { ttftP50Ms: 300 })], noFilters, sort);
    const held = holdOrder(before);
    // b/x got faster than a/x, y faster than x, and z arrived.
    const after = buildTable([route('a/x', { ttftP50Ms: 100 }), route('b/x', { ttftP50Ms: 50 }), route('c/y', { ttftP50Ms: 10 }), route('d/z', { ttftP50Ms: 5 })], noFilters, sort);
    expect(after.map((group) => group.id)).toEqual(['z', 'y', 'x']);
    const kept = applyHeldOrder(after, held);
    expect(kept.map((group) => group.id)).toEqual(['x', 'y', 'z']);
    expect(kept[0]?.routes.map((entry) => entry.id)).toEqual(['a/x', 'b/x']);
    // The live figures are the new ones; only the order is held, and the input is left alone.
    expect(kept[0]?.ttftP50Ms).toBe(50);
    expect(after[2]?.routes.map((entry) => entry.id)).toEqual(['b/x', 'a/x']);
  });
});

describe('keeping unchanged groups', () => {
  const sort = { key: 'name', direction: 'ascending' } as const;

  it('reuses the previous group when its routes are the same objects, and only then', () => {
    const x1 = route('a/x', { ttftP50Ms: 100 });
    const x2 = route('b/x', { ttftP50Ms: 200 });
    const y = route('c/y', { ttftP50Ms: 300 });
    const before = buildTable([x1, x2, y], noFilters, sort);
    const previous = new Map(before.map((group) => [group.id, group]));
    const yUpdated = { ...y, ttftP50Ms: 250 };
    const after = reuseUnchanged(buildTable([x1, x2, yUpdated], noFilters, sort), previous);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]?.ttftP50Ms).toBe(250);
    // Another order of the same routes is a change.
    const reordered = reuseUnchanged(buildTable([x1, x2, y], noFilters, { key: 'name', direction: 'descending' }), previous);
    expect(reordered.find((group) => group.id === 'x')).not.toBe(before[0]);
  });

  it('keeps a held group object when its routes did not move', () => {
    const groups = buildTable([route('a/x'), route('b/x')], noFilters, sort);
    expect(applyHeldOrder(groups, holdOrder(groups))[0]).toBe(groups[0]);
  });
});
