import type { ConfigEvent, QosEvent, QosResponse, QosRouteView } from '../../../relay/admin/dto.js';

/**
 * Every route's live quality of service, the route auto-fastest would pick now, the pin and the
 * bans. Filled from the event stream's snapshot, then patched by `qos` and `config` events.
 */
class QosState {
  routes = $state.raw<QosRouteView[]>([]);
  autoFastest = $state.raw<QosResponse['autoFastest']>(null);
  pin = $state.raw<QosResponse['pin']>(null);
  bans = $state.raw<string[]>([]);
  loaded = $state(false);

  readonly byId = $derived(new Map(this.routes.map((route) => [route.id, route])));

  replace(qos: QosResponse): void {
    this.routes = qos.routes;
    this.autoFastest = qos.autoFastest;
    this.pin = qos.pin;
    this.bans = qos.bans;
    this.loaded = true;
  }

  /** A `qos` event: the changed routes replace their old rows; every other row keeps its object. */
  apply(event: QosEvent): void {
    if (event.full) {
      this.routes = event.routes;
    } else if (event.routes.length > 0) {
      const changed = new Map(event.routes.map((route) => [route.id, route]));
      const next = this.routes.map((route) => changed.get(route.id) ?? route);
      for (const route of event.routes) if (!this.byId.has(route.id)) next.push(route);
      this.routes = next;
    }
    this.autoFastest = event.autoFastest;
  }

  applyConfig(event: ConfigEvent): void {
    this.pin = event.pin;
    this.bans = event.bans;
    this.autoFastest = event.autoFastest;
  }
}

export const qos = new QosState();
