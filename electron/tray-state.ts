import type { Config, Relay } from '../relay/index.js';
import { routeCounts } from './health-notices.js';
import type { RelayHostStatus } from './relay-host.js';
import type { TrayIconState, TrayIntegration, TrayState } from './tray-menu.js';

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

/**
 * The icon file (in resources/tray) for a state. macOS gets template images, black on transparent, which
 * Electron recognises by the `Template` at the end of the name and macOS tints for light and dark menu bars;
 * the plain mark for ok, the mark with a monochrome badge otherwise. Windows and Linux get coloured icons:
 * a white mark with a dark outline and a green, amber, red or grey status dot. Each file has `@2x` (and the
 * coloured ones `@1.5x` and `@3x`) siblings that Electron picks for the display's scale factor.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return state === 'ok' ? 'trayTemplate.png' : `tray-${state}Template.png`;
  return `tray-${state}.png`;
}
