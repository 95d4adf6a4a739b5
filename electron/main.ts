import { app, dialog } from 'electron';
import { startDesktopApp } from './desktop-app.js';

// The app's entry point. A second launch hands over to the first (which shows its dashboard)
// instead of racing it for the port, the settings file and the key store; everything else is
// wired in desktop-app.ts, where tests can reach it.
if (!app.requestSingleInstanceLock()) app.quit();
else {
  // A signal (Ctrl-C in a terminal, a session ending) quits the way the tray's Quit does, so the
  // relay saves its measurements and removes relay.json; a dependency's exit hooks would not.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  startDesktopApp({ configDir: app.getPath('userData') }).catch((error: unknown) => {
    dialog.showErrorBox('Switchboard could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}
