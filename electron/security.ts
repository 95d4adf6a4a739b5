import { shell, type Event, type WebContents } from 'electron';

/** Only https links leave the app, and only through the OS browser. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
}

/** Opens `url` in the default browser when it is a plain https link; returns whether it did. */
export function openExternalSafely(url: string): boolean {
  if (!isSafeExternalUrl(url)) return false;
  void shell.openExternal(url).catch(() => undefined);
  return true;
}

export function isSameOrigin(url: string, origin: string | undefined): boolean {
  if (origin === undefined) return false;
  try {
    return new URL(url).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** Checklist items 6-9 for one web contents: navigation guard, no new windows, no webviews, no permissions. */
export function hardenWebContents(contents: WebContents, relayOrigin: () => string | undefined): void {
  const guard = (event: Event, url: string): void => {
    if (isSameOrigin(url, relayOrigin())) return;
    event.preventDefault();
    openExternalSafely(url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

/** Installs the hooks on every web contents the app will ever create. Call before any window exists. */
export function installSecurityHooks(
  app: { on(event: 'web-contents-created', listener: (event: Event, contents: WebContents) => void): unknown },
  relayOrigin: () => string | undefined): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, relayOrigin));
}
