import { join } from 'node:path';
import { app, clipboard, Tray } from 'electron';
import { createRelay, type Relay } from '../relay/index.js';
import { getStartAtLogin, setStartAtLogin, type AutostartContext } from './autostart.js';
import { trayIcon } from './paths.js';
import { SafeStorageSecretStore } from './secrets.js';
import { installSecurityHooks } from './security.js';
import { TrayController } from './tray.js';
import type { TrayState } from './tray-menu.js';
import { DashboardWindow } from './windows.js';

// Lifecycle only: single instance, security hooks, the relay in-process, the tray.
if (!app.requestSingleInstanceLock()) app.quit();
else void main();

async function main(): Promise<void> {
  let relay: Relay | undefined;
  let url: string | undefined;
  let status: TrayState['relay'] = 'starting';
  let error: string | undefined;
  let startAtLogin = false;
  const configDir = app.getPath('userData');
  const secretStore = new SafeStorageSecretStore(join(configDir, 'keys.safestorage.json'));
  const autostart: AutostartContext = { app, platform: process.platform, env: process.env, execPath: process.execPath };

  installSecurityHooks(app, () => url);
  const dashboard = new DashboardWindow(() => url && `${url}/`);
  app.on('second-instance', () => void dashboard.show());
  app.on('before-quit', () => dashboard.prepareToQuit());
  app.on('window-all-closed', () => undefined); // the tray keeps the app alive
  await app.whenReady();
  startAtLogin = await getStartAtLogin(autostart).catch(() => false);

  const snapshot = (): TrayState => {
    const views = relay && status === 'running' ? relay.routing.views() : [];
    const config = relay?.configSource.get();
    const [first] = relay && status === 'running' ? relay.routing.contenders() : [];
    const fastest = views.find((view) => view.id === first);
    return {
      relay: status,
      ...(error ? { error } : {}),
      ...(url ? { baseUrl: `${url}/v1` } : {}),
      ...(fastest ? { fastest: { route: fastest.id, ...(fastest.qos.ttftP50Ms === undefined ? {} : { ttftMs: fastest.qos.ttftP50Ms }) } } : {}),
      routes: {
        up: views.filter((view) => view.status === 'up' || view.status === 'slow').length,
        failing: views.filter((view) => ['down', 'rate-limited', 'key-rejected'].includes(view.status)).length,
      },
      providers: Object.entries(config?.providers ?? {}).map(([id, settings]) => ({ id, label: id, enabled: settings.enabled })),
      ...(config?.routing.pin ? { pinned: config.routing.pin.target } : {}),
      topModels: [...new Set(views.filter((view) => view.servable).map((view) => view.group))],
      integrations: [
        { id: 'opencode', label: 'OpenCode' },
        { id: 'openclaw', label: 'OpenClaw' },
      ],
      startAtLogin,
    };
  };

  const tray = new TrayController({
    createTray: (icon) => new Tray(icon),
    iconFor: (state) => trayIcon(app.isPackaged, state),
    actions: {
      copyBaseUrl: () => url && clipboard.writeText(`${url}/v1`),
      openDashboard: () => void dashboard.show(),
      setProviderEnabled: (id, enabled) =>
        void relay?.configSource.update((draft) => {
          const provider = draft.providers[id];
          if (provider) provider.enabled = enabled;
        }),
      pin: (model) =>
        void relay?.configSource.update((draft) => {
          draft.routing.pin = model === undefined ? null : { kind: 'group', target: model, aliases: false };
        }),
      configureIntegration: () => void dashboard.show(),
      setStartAtLogin: (enabled) =>
        void setStartAtLogin(enabled, autostart).then(() => {
          startAtLogin = enabled;
          refresh();
        }),
      setPaused: (paused) => void (paused ? stop('paused') : start()),
      quit: () => app.quit(),
    },
  });
  const refresh = (): void => tray.update(snapshot());

  async function start(): Promise<void> {
    status = 'starting';
    error = undefined;
    refresh();
    try {
      relay = await createRelay({ configDir, secretStore });
      url = (await relay.listen()).url;
      status = 'running';
      relay.configSource.subscribe(refresh);
      relay.events.on('request', refresh);
    } catch (cause) {
      status = 'error';
      error = cause instanceof Error ? cause.message : String(cause);
    }
    refresh();
  }

  async function stop(next: TrayState['relay']): Promise<void> {
    const current = relay;
    relay = undefined;
    url = undefined;
    status = next;
    refresh();
    await current?.close();
  }

  const timer = setInterval(refresh, 5_000);
  app.on('will-quit', () => {
    clearInterval(timer);
    tray.destroy();
    void stop('paused');
  });
  await start();
  if (!process.argv.includes('--hidden') && url !== undefined) await dashboard.show();
}
