import { SvelteSet } from 'svelte/reactivity';
import { applyHeldOrder, holdOrder, reuseUnchanged, type HeldOrder } from './models-order.js';
import { buildTable, defaultDirection, isAvailable, type CapabilityName, type ModelGroup, type SortKey, type StatusFilter, type TableSort } from './models-table.js';
import { qos } from './qos.svelte.js';

/**
 * What the Models table shows: the filters, the sort, which groups are open, and the rows that
 * follow from them and the live QoS. The rows are derived; nothing here fetches.
 */
class ModelsViewState {
  search = $state('');
  status = $state<StatusFilter>('all');
  freeOnly = $state(false);
  capabilities = $state.raw<CapabilityName[]>([]);
  /** Also list the catalogs of providers without a key (or turned off). */
  includeUnavailable = $state(false);
  sort = $state.raw<TableSort>({ key: 'status', direction: 'ascending' });
  readonly expanded = new SvelteSet<string>();
  /** Set while the pointer or focus is in the table: live updates then leave rows where they are. */
  private held = $state.raw<HeldOrder | null>(null);

  /** The last table built, so groups whose routes did not change keep their objects (and rows). */
  private previous: { bans: readonly string[]; groups: ReadonlyMap<string, ModelGroup> } = { bans: [], groups: new Map() };

  /** The table as sorted now, ignoring any hold. */
  private readonly sorted = $derived.by<ModelGroup[]>(() => {
    const filters = { search: this.search, status: this.status, freeOnly: this.freeOnly, capabilities: this.capabilities, includeUnavailable: this.includeUnavailable };
    const built = buildTable(qos.routes, filters, this.sort, qos.bans);
    const groups = reuseUnchanged(built, this.previous.bans === qos.bans ? this.previous.groups : new Map());
    // A plain cache, not state: it only saves work and never causes an update.
    this.previous = { bans: qos.bans, groups: new Map(groups.map((group) => [group.id, group])) };
    return groups;
  });

  readonly groups = $derived<ModelGroup[]>(this.held ? applyHeldOrder(this.sorted, this.held) : this.sorted);
  /** Routes of providers that are set up and on: the fleet. Without any, the view says how to get some. */
  readonly fleetSize = $derived(qos.routes.filter(isAvailable).length);
  readonly unavailableCount = $derived(qos.routes.length - this.fleetSize);
  readonly groupCount = $derived(new Set(qos.routes.filter((route) => this.includeUnavailable || isAvailable(route)).map((route) => route.group)).size);
  readonly filtered = $derived(this.search.trim() !== '' || this.status !== 'all' || this.freeOnly || this.capabilities.length > 0);

  /** A click on a column: the same column flips direction, another starts in its natural one. */
  sortBy(key: SortKey): void {
    this.sort = this.sort.key === key ? { key, direction: this.sort.direction === 'ascending' ? 'descending' : 'ascending' } : { key, direction: defaultDirection(key) };
    // The user asked for this order: it replaces any held one.
    if (this.held) this.held = holdOrder(this.sorted);
  }

  toggleCapability(capability: CapabilityName): void {
    this.capabilities = this.capabilities.includes(capability) ? this.capabilities.filter((entry) => entry !== capability) : [...this.capabilities, capability];
  }

  toggleExpanded(group: string): void {
    if (this.expanded.has(group)) this.expanded.delete(group);
    else this.expanded.add(group);
  }

  clearFilters(): void {
    this.search = '';
    this.status = 'all';
    this.freeOnly = false;
    this.capabilities = [];
  }

  /** Hold the row order (pointer or focus entered the table) or let it follow the sort again. */
  holdRows(hold: boolean): void {
    if (hold && !this.held) this.held = holdOrder(this.sorted);
    else if (!hold) this.held = null;
  }
}

export const modelsView = new ModelsViewState();
