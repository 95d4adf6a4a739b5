import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildTrayMenu, PIN_MENU_SIZE, statusLine, trayIconState, type TrayActions, type TrayState } from '../../electron/tray-menu.js';

const running: TrayState = {
  relay: 'running',
  baseUrl: 'http://127.0.0.1:4141/v1',
  fastest: { route: 'groq/llama-3.3-70b', ttftMs: 212.4 },
  routes: { up: 5, failing: 0 },
  providers: [
    { id: 'groq', label: 'Groq', enabled: true },
    { id: 'cerebras', label: 'Cerebras', enabled: false },
  ],
  topModels: ['llama-3.3-70b', 'qwen-3-32b'],
  integrations: [
    { id: 'opencode', label: 'OpenCode' },
    { id: 'openclaw', label: 'OpenClaw' },
  ],
  startAtLogin: false,
};

function fakeActions() {
  return {
    copyBaseUrl: vi.fn<() => void>(),
    openDashboard: vi.fn<() => void>(),
    setProviderEnabled: vi.fn<(id: string, enabled: boolean) => void>(),
    pin: vi.fn<(model: string | undefined) => void>(),
    configureIntegration: vi.fn<(id: string) => void>(),
    setStartAtLogin: vi.fn<(enabled: boolean) => void>(),
    setPaused: vi.fn<(paused: boolean) => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayActions;
}

function item(menu: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  for (const entry of menu) {
    if (entry.id === id) return entry;
    if (Array.isArray(entry.submenu)) {
      const found = entry.submenu.find((child) => child.id === id);
      if (found) return found;
    }
  }
  throw new Error(`no menu item ${id}`);
}

function click(entry: MenuItemConstructorOptions): void {
  (entry.click as () => void)();
}

describe('trayIconState', () => {
  it.each<[string, TrayState, string]>([
    ['running and healthy', running, 'ok'],
    ['some routes failing', { ...running, routes: { up: 3, failing: 2 } }, 'degraded'],
    ['still measuring', { ...running, fastest: undefined }, 'degraded'],
    ['starting', { ...running, relay: 'starting' }, 'degraded'],
    ['no route up', { ...running, routes: { up: 0, failing: 4 }, fastest: undefined }, 'down'],
    ['relay failed', { ...running, relay: 'error', error: 'port 4141 in use' }, 'down'],
    ['paused', { ...running, relay: 'paused', routes: { up: 0, failing: 3 } }, 'paused'],
  ])('%s', (_name, state, expected) => {
    expect(trayIconState(state)).toBe(expected);
  });
});

describe('buildTrayMenu', () => {
  it('shows the fastest model and its TTFT in the status line', () => {
    const menu = buildTrayMenu(running, fakeActions());
    expect(menu[0]).toMatchObject({ id: 'status', label: 'Fastest: groq/llama-3.3-70b · 212 ms TTFT', enabled: false });
  });

  it('has every entry the issue lists, in order', () => {
    const ids = buildTrayMenu(running, fakeActions())
      .map((entry) => entry.id)
      .filter((id) => id !== undefined);
    expect(ids).toEqual(['status', 'copy-base-url', 'open-dashboard', 'providers', 'pin', 'configure:opencode', 'configure:openclaw', 'start-at-login', 'pause', 'quit']);
    expect(item(buildTrayMenu(running, fakeActions()), 'configure:opencode').label).toBe('Configure OpenCode');
    expect(item(buildTrayMenu(running, fakeActions()), 'configure:openclaw').label).toBe('Configure OpenClaw');
  });

  it('is pure: the same state gives the same menu', () => {
    const strip = (menu: MenuItemConstructorOptions[]) => JSON.parse(JSON.stringify(menu)) as unknown;
    expect(strip(buildTrayMenu(running, fakeActions()))).toEqual(strip(buildTrayMenu(structuredClone(running), fakeActions())));
  });

  it('offers a checkbox per provider that toggles it', () => {
    const actions = fakeActions();
    const menu = buildTrayMenu(running, actions);
    expect(item(menu, 'provider:groq')).toMatchObject({ type: 'checkbox', checked: true, label: 'Groq' });
    expect(item(menu, 'provider:cerebras')).toMatchObject({ type: 'checkbox', checked: false });
    click(item(menu, 'provider:cerebras'));
    expect(actions.setProviderEnabled).toHaveBeenCalledWith('cerebras', true);
  });

  it('pins auto-fastest or one of the top models', () => {
    const actions = fakeActions();
    const many = { ...running, topModels: Array.from({ length: 20 }, (_, i) => `model-${i}`) };
    const pinMenu = item(buildTrayMenu(many, actions), 'pin').submenu as MenuItemConstructorOptions[];
    const radios = pinMenu.filter((entry) => entry.type === 'radio');
    expect(radios).toHaveLength(PIN_MENU_SIZE + 1);
    expect(radios[0]).toMatchObject({ id: 'pin:auto', checked: true });
    click(radios[2]!);
    expect(actions.pin).toHaveBeenCalledWith('model-1');
    click(radios[0]!);
    expect(actions.pin).toHaveBeenLastCalledWith(undefined);
  });

  it('checks the pinned model, even when it is not among the top models', () => {
    const menu = buildTrayMenu({ ...running, pinned: 'rare-model' }, fakeActions());
    expect(item(menu, 'pin:auto').checked).toBe(false);
    expect(item(menu, 'pin:rare-model').checked).toBe(true);
  });

  it('wires copy, dashboard, integrations, login, pause and quit', () => {
    const actions = fakeActions();
    const menu = buildTrayMenu({ ...running, startAtLogin: true }, actions);
    for (const id of ['copy-base-url', 'open-dashboard', 'configure:openclaw', 'start-at-login', 'pause', 'quit']) click(item(menu, id));
    expect(actions.copyBaseUrl).toHaveBeenCalledOnce();
    expect(actions.openDashboard).toHaveBeenCalledOnce();
    expect(actions.configureIntegration).toHaveBeenCalledWith('openclaw');
    expect(item(menu, 'start-at-login')).toMatchObject({ type: 'checkbox', checked: true });
    expect(actions.setStartAtLogin).toHaveBeenCalledWith(false);
    expect(actions.setPaused).toHaveBeenCalledWith(true);
    expect(actions.quit).toHaveBeenCalledOnce();
  });

  it('checks configured clients and labels those that need repair', () => {
    const actions = fakeActions();
    const menu = buildTrayMenu(
      {
        ...running,
        integrations: [
          { id: 'opencode', label: 'OpenCode', state: 'configured' },
          { id: 'openclaw', label: 'OpenClaw', state: 'needs-repair' },
          { id: 'aider', label: 'Aider', state: 'not-configured' },
        ],
      },
      actions,
    );
    expect(item(menu, 'configure:opencode')).toMatchObject({ type: 'checkbox', checked: true, label: 'Configure OpenCode', enabled: true });
    expect(item(menu, 'configure:openclaw')).toMatchObject({ type: 'checkbox', checked: false, label: 'Configure OpenClaw (needs repair)' });
    expect(item(menu, 'configure:aider')).toMatchObject({ type: 'checkbox', checked: false, label: 'Configure Aider' });
    click(item(menu, 'configure:opencode'));
    expect(actions.configureIntegration).toHaveBeenCalledWith('opencode');
  });

  it('while paused offers Resume and keeps quit available', () => {
    const actions = fakeActions();
    const menu = buildTrayMenu({ ...running, relay: 'paused' }, actions);
    expect(menu[0]?.label).toBe('Switchboard: paused');
    expect(item(menu, 'pause').label).toBe('Resume Relay');
    click(item(menu, 'pause'));
    expect(actions.setPaused).toHaveBeenCalledWith(false);
    expect(item(menu, 'open-dashboard').enabled).toBe(false);
    expect(item(menu, 'quit').enabled).not.toBe(false);
  });

  it('while starting or failed disables what needs a running relay', () => {
    const starting = buildTrayMenu({ ...running, relay: 'starting', baseUrl: undefined, fastest: undefined }, fakeActions());
    expect(starting[0]?.label).toBe('Switchboard: starting…');
    expect(item(starting, 'copy-base-url').enabled).toBe(false);
    expect(item(starting, 'pause').enabled).toBe(false);
    const failed = buildTrayMenu({ ...running, relay: 'error', error: 'port 4141 in use' }, fakeActions());
    expect(failed[0]?.label).toBe('Switchboard: stopped (port 4141 in use)');
    expect(item(failed, 'configure:opencode').enabled).toBe(false);
  });

  it('after the relay gave up, offers to start it again', () => {
    const actions = fakeActions();
    const failed = buildTrayMenu({ ...running, relay: 'error', error: 'port 4141 in use (gave up after 5 restarts)' }, actions);
    expect(item(failed, 'pause')).toMatchObject({ label: 'Restart Relay', enabled: true });
    click(item(failed, 'pause'));
    expect(actions.setPaused).toHaveBeenCalledWith(false);
  });

  it('says when no model is reachable or still measuring', () => {
    expect(statusLine({ ...running, fastest: undefined, routes: { up: 0, failing: 2 } })).toBe('Switchboard: no model reachable');
    expect(statusLine({ ...running, fastest: undefined })).toBe('Switchboard: measuring…');
    expect(statusLine({ ...running, fastest: { route: 'ollama/qwen3' } })).toBe('Fastest: ollama/qwen3');
  });
});
