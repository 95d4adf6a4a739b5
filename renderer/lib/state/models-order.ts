import type { ModelGroup } from './models-table.js';

/**
 * Row order over time: a held order keeps rows still while the user works in the table, and
 * unchanged groups keep their objects so their rows are not redrawn on every live update.
 */

/** Where each group and route stood when the order was held (`group:` and `route:` prefixed ids). */
export type HeldOrder = ReadonlyMap<string, number>;

export function holdOrder(groups: readonly ModelGroup[]): HeldOrder {
  const order = new Map<string, number>();
  groups.forEach((group, index) => {
    order.set(`group:${group.id}`, index);
    group.routes.forEach((route, routeIndex) => order.set(`route:${route.id}`, routeIndex));
  });
  return order;
}

/**
 * Keeps rows where they were while the user points at or works in the table, so a live update
 * never moves the row under the pointer. Rows that were not there yet go after the held ones, in
 * their sorted order.
 */
export function applyHeldOrder(groups: readonly ModelGroup[], order: HeldOrder): ModelGroup[] {
  const place = (key: string, fallback: number) => order.get(key) ?? order.size + fallback;
  const reorder = <T extends { id: string }>(items: readonly T[], prefix: string): T[] => {
    const positions = new Map(items.map((item, index) => [item.id, place(`${prefix}:${item.id}`, index)]));
    return [...items].sort((a, b) => (positions.get(a.id) ?? 0) - (positions.get(b.id) ?? 0));
  };
  return reorder(groups, 'group').map((group) => {
    const routes = reorder(group.routes, 'route');
    return sameItems(routes, group.routes) ? group : { ...group, routes };
  });
}

/**
 * Hands back the previous object of every group whose routes are the very same objects in the
 * same order (the live state replaces only the routes that changed), so the rows of unchanged
 * groups are not redrawn. Only valid while the bans are unchanged: they shape the figures too.
 */
export function reuseUnchanged(groups: readonly ModelGroup[], previous: ReadonlyMap<string, ModelGroup>): ModelGroup[] {
  return groups.map((group) => {
    const before = previous.get(group.id);
    return before && sameItems(before.routes, group.routes) ? before : group;
  });
}

function sameItems<T>(left: readonly T[], right: readonly T[]): boolean {
  return left.length === right.length && left.every((item, index) => item === right[index]);
}
