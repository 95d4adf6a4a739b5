import type { Config, Relay } from '../relay/index.js';
import { routeCounts } from './health-notices.js';
import type { RelayHostStatus } from './relay-host.js';
import type { TrayIntegration, TrayState } from './tray-menu.js';

/** Everything the tray shows, read from the host and the running relay by desktop-app.ts. */
export interface TraySources {
  status: RelayHostStatus;
  error?: string;
  /** The relay's origin while running. */
  origin?: string;
  /** The running relay (routes, settings); undefined while starting, paused or failed. */
  relay?: Pick<Relay, 'routing' | 'configSource'>;
  integrations: readonly TrayIntegration[];
  startAtLogin: boolean;
}

/** The tray's state: a pure function of the relay's routes and settings, so it follows them live. */
export function trayStateOf(sources: TraySources): TrayState {
  const relay = sources.status === 'running' ? sources.relay : undefined;
  const views = relay?.routing.views() ?? [];
  const config: Config | undefined = relay?.configSource.get();
  const [first] = relay?.routing.contenders() ?? [];
  const fastest = views.find((view) => view.id === first);
  const pin = config?.routing.pin;
  return {
    relay: sources.status,
    ...(sources.status === 'error' && sources.error ? { error: sources.error } : {}),
    ...(relay && sources.origin ? { baseUrl: `${sources.origin}/v1` } : {}),
    ...(fastest ? { fastest: { route: fastest.id, ...(fastest.qos.ttftP50Ms === undefined ? {} : { ttftMs: fastest.qos.ttftP50Ms }) } } : {}),
    routes: routeCounts(views),
    providers: Object.entries(config?.providers ?? {}).map(([id, settings]) => ({ id, label: id, enabled: settings.enabled })),
    ...(pin ? { pinned: pin.target } : {}),
    topModels: [...new Set(views.filter((view) => view.servable).map((view) => view.group))],
    integrations: sources.integrations,
    startAtLogin: sources.startAtLogin,
  };
}
