import { app, clipboard, Tray } from 'electron';
import type { RelayLogger, RelayOptions } from '../relay/index.js';
import type { SecretStore } from '../relay/keys/secret-store.js';
import { DesktopAdminClient } from './admin-client.js';
import { HIDDEN_ARG, type AutostartContext } from './autostart.js';
import { ElectronConfigStore } from './config-store.js';
import { desktopCapabilities } from './desktop-capabilities.js';
import type { RequestAttempts } from './health-notices.js';
import { HealthNotifier, showNotice } from './notifier.js';
import { trayIcon } from './paths.js';
import { RelayHost, type RelayHostOptions } from './relay-host.js';
import { openDesktopSecretStore } from './secrets.js';
import { installSecurityHooks } from './security.js';
import { TrayController, type TrayLike } from './tray.js';
import { TrayIntegrations } from './tray-integrations.js';
import type { TrayState } from './tray-menu.js';
import { trayStateOf } from './tray-state.js';
import { DashboardWindow } from './windows.js';

export interface DesktopAppOptions {
  /** Settings, keys and the admin token live here (the app passes `app.getPath('userData')`). */
  configDir: string;
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  argv?: readonly string[];
  execPath?: string;
  /** Default: safeStorage ciphertext in `keys.safestorage.json` beside the settings. */
  secretStore?: SecretStore;
  /**
   * More createRelay options (tests: no local detection, no probing, port 0). Without a
   * `configSource`, settings are `config.json` in `configDir` through electron-store
   * (ElectronConfigStore, watched for hand edits), closed when the app closes.
   */
  relay?: Partial<RelayOptions>;
  /** RelayHost tuning and test doubles (createRelay, fetch, health check interval). */
  host?: Omit<RelayHostOptions, 'relay'>;
  /** The admin API client's fetch. */
  fetch?: typeof fetch;
  createTray?: (icon: string) => TrayLike;
  logger?: RelayLogger;
  /** How often the tray and notifications look at the relay besides its events (default 5 s). */
  refreshIntervalMs?: number;
  /** How often the integrations' states are read again (default 60 s). */
  integrationsIntervalMs?: number;
}

export interface DesktopApp {
  readonly host: RelayHost;
  readonly dashboard: DashboardWindow;
  readonly tray: TrayController;
  readonly integrations: TrayIntegrations;
  readonly notifier: HealthNotifier;
  /** What the tray shows now. */
  state(): TrayState;
  /** Stops the relay, the timers and the tray (what quitting does). */
  close(): Promise<void>;
}

const consoleLogger: RelayLogger = { info: console.error, warn: console.error, error: console.error };

/**
 * electron-store over `config.json`. Should it fail to open (an unreadable file or folder), the
 * relay falls back to its own file store for the same file, which reports the problem or fails
 * to start visibly (the tray shows why).
 */
async function openConfigStore(configDir: string, logger: RelayLogger): Promise<ElectronConfigStore | undefined> {
  try {
    return await ElectronConfigStore.open(configDir, { watch: true, logger });
  } catch (error) {
    logger.error(`The settings store could not be opened (${error instanceof Error ? error.message : String(error)}); using the relay's own file store.`);
    return undefined;
  }
}

/**
 * The desktop app: security hooks, the relay host, the dashboard window, the tray, native
 * notifications and the app's lifecycle events, wired together. main.ts calls this once it holds
 * the single-instance lock.
 */
export async function startDesktopApp(options: DesktopAppOptions): Promise<DesktopApp> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const logger = options.logger ?? consoleLogger;
  // HOME from the same environment as everything else (it is what os.homedir() reads on Linux).
  const autostart: AutostartContext = { app, platform, env, execPath: options.execPath ?? process.execPath, ...(env.HOME ? { home: env.HOME } : {}) };
  let startAtLogin = false;
  let closed = false;
  const desktop = desktopCapabilities(autostart, (enabled) => {
    startAtLogin = enabled;
    refresh(true);
  });
  // One settings store for the app's lifetime: the relay host hands it to every relay it starts.
  const configStore = options.relay?.configSource ? undefined : await openConfigStore(options.configDir, logger);
  const host = new RelayHost({
    logger,
    ...options.host,
    relay: {
      configDir: options.configDir,
      secretStore: options.secretStore ?? (await openDesktopSecretStore(options.configDir, platform, logger)),
      ...(configStore ? { configSource: configStore } : {}),
      logger,
      env,
      desktop,
      ...options.relay,
    },
  });
  installSecurityHooks(app, () => host.origin);

  const dashboard = new DashboardWindow({ origin: () => host.origin, adminToken: () => host.relay?.adminToken, dock: platform === 'darwin' ? app.dock : undefined });
  const openDashboard = (): void => void dashboard.show().catch((error: unknown) => logger.error(`Opening the dashboard failed: ${String(error)}`));
  const admin = new DesktopAdminClient(() => {
    const { origin, relay } = host;
    return origin && relay ? { origin, token: relay.adminToken } : undefined;
  }, options.fetch);
  const integrations = new TrayIntegrations({
    client: admin,
    notify: (notice) => showNotice(notice, { fallbackToDialog: true, type: notice.ok ? 'info' : 'error', onClick: openDashboard }),
    onChange: () => refresh(),
    onError: (message) => logger.warn(message),
  });
  const notifier = new HealthNotifier({
    enabled: () => host.relay?.configSource.get().desktop.notifications ?? false,
    show: (notice) => showNotice(notice, { onClick: openDashboard }),
  });
  const updateConfig = (mutate: Parameters<NonNullable<typeof host.relay>['configSource']['update']>[0]): void =>
    void host.relay?.configSource.update(mutate).catch((error: unknown) => {
      logger.error(`Changing the settings failed: ${String(error)}`);
      refresh(true);
    });

  const tray = new TrayController({
    createTray: options.createTray ?? ((icon) => new Tray(icon)),
    iconFor: (state, platform) => trayIcon(app.isPackaged, state, platform),
    platform,
    actions: {
      copyBaseUrl: () => host.origin && clipboard.writeText(`${host.origin}/v1`),
      openDashboard,
      setProviderEnabled: (id, enabled) =>
        updateConfig((draft) => {
          const provider = draft.providers[id];
          if (provider) provider.enabled = enabled;
        }),
      pin: (model) =>
        updateConfig((draft) => {
          draft.routing.pin = model === undefined ? null : { kind: 'group', target: model, aliases: false };
        }),
      // Rebuilt afterwards even when nothing changed: the click flipped the checkbox by itself.
      configureIntegration: (id) => void integrations.configure(id).finally(() => refresh(true)),
      setStartAtLogin: (enabled) =>
        void Promise.resolve(desktop.startAtLogin?.set(enabled)).catch((error: unknown) => {
          logger.error(`Changing start at login failed: ${String(error)}`);
          refresh(true);
        }),
      setPaused: (paused) => void (paused ? host.pause() : host.start()).finally(() => refresh(true)),
      quit: () => app.quit(),
    },
  });

  const state = (): TrayState =>
    trayStateOf({
      status: host.status,
      ...(host.error === undefined ? {} : { error: host.error }),
      ...(host.origin === undefined ? {} : { origin: host.origin }),
      ...(host.relay ? { relay: host.relay } : {}),
      integrations: integrations.items,
      startAtLogin,
    });
  function refresh(force = false): void {
    if (closed) return;
    if (force) tray.invalidate();
    tray.update(state());
    const relay = host.relay;
    if (relay) notifier.check(relay.routing.views());
  }

  host.on('change', () => {
    // Each running relay is a new instance: measure against a fresh baseline, re-read the clients' state.
    notifier.reset();
    refresh();
    if (host.status === 'running') {
      void integrations.refresh();
      void dashboard.follow().catch((error: unknown) => logger.error(`Reloading the dashboard failed: ${String(error)}`));
    }
  });
  // Requests and measurements can arrive many times a second: look at most every 250 ms.
  let pending: NodeJS.Timeout | undefined;
  host.on('relay', (name, payload) => {
    if (name === 'request') notifier.noteRequest(payload as RequestAttempts);
    if (name === 'config') notifier.noteConfig();
    pending ??= setTimeout(() => {
      pending = undefined;
      refresh();
    }, 250);
  });

  const timers: NodeJS.Timeout[] = [];
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    timers.forEach((timer) => clearInterval(timer));
    clearTimeout(pending);
    tray.destroy();
    await host.stop();
    await configStore?.close();
  }
  app.on('second-instance', openDashboard);
  app.on('activate', openDashboard);
  app.on('before-quit', () => dashboard.prepareToQuit());
  // The tray keeps the app alive with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('will-quit', (event) => {
    if (closed) return;
    // Let the relay save its measurements and close its port before the process ends.
    event.preventDefault();
    void close().finally(() => app.quit());
  });

  await app.whenReady();
  // macOS: no dock icon until a window opens (the packaged app's LSUIElement does the same).
  if (platform === 'darwin') app.dock?.hide();
  startAtLogin = await Promise.resolve(desktop.startAtLogin?.get() ?? false).catch(() => false);
  refresh();
  timers.push(setInterval(() => refresh(), options.refreshIntervalMs ?? 5_000));
  timers.push(setInterval(() => void integrations.refresh(), options.integrationsIntervalMs ?? 60_000));
  await host.start();
  if (!(options.argv ?? process.argv).includes(HIDDEN_ARG) && host.origin !== undefined) openDashboard();
  return { host, dashboard, tray, integrations, notifier, state, close };
}
