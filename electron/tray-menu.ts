import type { MenuItemConstructorOptions } from 'electron';

/** What the tray shows, gathered from the relay by main.ts; plain data so the menu is a pure function of it. */
export interface TrayState {
  relay: 'starting' | 'running' | 'paused' | 'error';
  /** Why the relay is not running, when relay is 'error'. */
  error?: string;
  /** The OpenAI-compatible base URL, e.g. http://127.0.0.1:4141/v1, once listening. */
  baseUrl?: string;
  /** The route auto-fastest picks right now and its median time to first token. */
  fastest?: { route: string; ttftMs?: number };
  /** Routes measured healthy and routes failing (down, rate-limited, key rejected). */
  routes: { up: number; failing: number };
  providers: readonly { id: string; label: string; enabled: boolean }[];
  /** The pinned model, or undefined while auto-fastest chooses freely. */
  pinned?: string;
  /** Candidates for the pin submenu, best first. */
  topModels: readonly string[];
  /** Clients the tray can configure; `state` once the relay has looked at this machine's config files. */
  integrations: readonly TrayIntegration[];
  startAtLogin: boolean;
}

export interface TrayIntegration {
  id: string;
  label: string;
  /** `needs-repair`: our entry differs from what apply writes now, or the file cannot be used. */
  state?: 'configured' | 'needs-repair' | 'not-configured';
}

export interface TrayActions {
  copyBaseUrl(): void;
  openDashboard(): void;
  setProviderEnabled(id: string, enabled: boolean): void;
  /** undefined unpins (back to auto-fastest). */
  pin(model: string | undefined): void;
  configureIntegration(id: string): void;
  setStartAtLogin(enabled: boolean): void;
  setPaused(paused: boolean): void;
  quit(): void;
}

export type TrayIconState = 'ok' | 'degraded' | 'down' | 'paused';

/** How many models the pin submenu offers besides auto-fastest. */
export const PIN_MENU_SIZE = 8;

export function trayIconState(state: TrayState): TrayIconState {
  if (state.relay === 'paused') return 'paused';
  if (state.relay === 'error') return 'down';
  if (state.relay === 'starting') return 'degraded';
  if (state.routes.up === 0) return 'down';
  if (state.routes.failing > 0 || state.fastest === undefined) return 'degraded';
  return 'ok';
}

/** The one-line summary used as the first menu item and the tooltip. */
export function statusLine(state: TrayState): string {
  switch (state.relay) {
    case 'starting':
      return 'Switchboard: starting…';
    case 'paused':
      return 'Switchboard: paused';
    case 'error':
      return `Switchboard: stopped${state.error ? ` (${state.error})` : ''}`;
    case 'running': {
      if (!state.fastest) return state.routes.up === 0 ? 'Switchboard: no model reachable' : 'Switchboard: measuring…';
      const ttft = state.fastest.ttftMs === undefined ? '' : ` · ${Math.round(state.fastest.ttftMs)} ms TTFT`;
      return `Fastest: ${state.fastest.route}${ttft}`;
    }
  }
}

/** The tray's context menu for one relay state. Pure: the same state gives the same menu. */
export function buildTrayMenu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const running = state.relay === 'running';
  const models = state.topModels.slice(0, PIN_MENU_SIZE);
  if (state.pinned !== undefined && !models.includes(state.pinned)) models.push(state.pinned);

  const menu: MenuItemConstructorOptions[] = [
    { id: 'status', label: statusLine(state), enabled: false },
    { type: 'separator' },
    { id: 'copy-base-url', label: 'Copy Base URL', enabled: state.baseUrl !== undefined, click: () => actions.copyBaseUrl() },
    { id: 'open-dashboard', label: 'Open Dashboard', enabled: running, click: () => actions.openDashboard() },
    { type: 'separator' },
    {
      id: 'providers',
      label: 'Providers',
      enabled: state.providers.length > 0,
      submenu: state.providers.map((provider) => ({
        id: `provider:${provider.id}`,
        label: provider.label,
        type: 'checkbox' as const,
        checked: provider.enabled,
        click: () => actions.setProviderEnabled(provider.id, !provider.enabled),
      })),
    },
    {
      id: 'pin',
      label: 'Pin Model',
      submenu: [
        { id: 'pin:auto', label: 'Auto-fastest', type: 'radio', checked: state.pinned === undefined, click: () => actions.pin(undefined) },
        ...(models.length > 0 ? [{ type: 'separator' as const }] : []),
        ...models.map((model) => ({
          id: `pin:${model}`,
          label: model,
          type: 'radio' as const,
          checked: state.pinned === model,
          click: () => actions.pin(model),
        })),
      ],
    },
    { type: 'separator' },
    // Checked when the client already points at the relay; clicking applies (again), which repairs drift.
    ...state.integrations.map((integration) => ({
      id: `configure:${integration.id}`,
      label: integration.state === 'needs-repair' ? `Configure ${integration.label} (needs repair)` : `Configure ${integration.label}`,
      type: 'checkbox' as const,
      checked: integration.state === 'configured',
      enabled: running,
      click: () => actions.configureIntegration(integration.id),
    })),
    { type: 'separator' },
    { id: 'start-at-login', label: 'Start at Login', type: 'checkbox', checked: state.startAtLogin, click: () => actions.setStartAtLogin(!state.startAtLogin) },
    {
      id: 'pause',
      // After the relay gave up restarting, the same item starts it again.
      label: state.relay === 'paused' ? 'Resume Relay' : state.relay === 'error' ? 'Restart Relay' : 'Pause Relay',
      enabled: state.relay !== 'starting',
      click: () => actions.setPaused(state.relay === 'running'),
    },
    { id: 'quit', label: 'Quit Switchboard', click: () => actions.quit() },
  ];
  return menu;
}
