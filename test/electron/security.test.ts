import { beforeEach, describe, expect, it, vi } from 'vitest';
import { app, FakeWebContents, resetElectronMock, shell } from '../mocks/electron.js';
import { installSecurityHooks, isSafeExternalUrl, openExternalSafely } from '../../electron/security.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const origin = 'http://127.0.0.1:4141';

function hardenedContents(): FakeWebContents {
  installSecurityHooks(app, () => origin);
  const contents = new FakeWebContents();
  app.emit('web-contents-created', {}, contents);
  return contents;
}

function navigate(contents: FakeWebContents, event: string, url: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('security hooks', () => {
  beforeEach(() => resetElectronMock());

  it('allows navigation inside the relay origin only', () => {
    const contents = hardenedContents();
    expect(navigate(contents, 'will-navigate', `${origin}/settings`)).toBe(false);
    expect(navigate(contents, 'will-navigate', 'http://127.0.0.1:9999/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'https://evil.example/')).toBe(true);
  });

  it("follows the relay's current origin when its port changes, and locks everything while it is stopped", () => {
    let current: string | undefined = origin;
    installSecurityHooks(app, () => current);
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    current = 'http://127.0.0.1:5151';
    expect(navigate(contents, 'will-navigate', 'http://127.0.0.1:5151/')).toBe(false);
    expect(navigate(contents, 'will-navigate', `${origin}/`)).toBe(true);
    current = undefined;
    expect(navigate(contents, 'will-navigate', 'http://127.0.0.1:5151/')).toBe(true);
  });

  it('sends a blocked https navigation to the browser instead', () => {
    const contents = hardenedContents();
    navigate(contents, 'will-navigate', 'https://docs.example/');
    expect(shell.openExternal).toHaveBeenCalledWith('https://docs.example/');
  });

  it('denies window.open and opens only https links externally', () => {
    const contents = hardenedContents();
    expect(contents.windowOpenHandler?.({ url: 'https://console.groq.com/keys' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://console.groq.com/keys');
    expect(contents.windowOpenHandler?.({ url: 'file:///C:/Windows/System32/calc.exe' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledOnce();
  });

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'smb://attacker/share/x.exe', 'ms-msdt:/id PCWDiagnostic', 'http://example.com/', 'https://user:pw@example.com/', 'not a url', ''])(
    'refuses to open %s externally',
    (url) => {
      expect(isSafeExternalUrl(url)).toBe(false);
      expect(openExternalSafely(url)).toBe(false);
      expect(shell.openExternal).not.toHaveBeenCalled();
    },
  );

  it('prevents webviews from attaching', () => {
    const contents = hardenedContents();
    expect(navigate(contents, 'will-attach-webview', '')).toBe(true);
  });

  it('denies every permission request and check', () => {
    const contents = hardenedContents();
    const request = contents.session.setPermissionRequestHandler.mock.calls[0]?.[0] as (wc: unknown, permission: string, callback: (granted: boolean) => void) => void;
    const callback = vi.fn();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) request({}, permission, callback);
    expect(callback.mock.calls).toEqual([[false], [false], [false], [false]]);
    const check = contents.session.setPermissionCheckHandler.mock.calls[0]?.[0] as () => boolean;
    expect(check()).toBe(false);
  });
});
