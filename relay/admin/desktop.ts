/**
 * What only the desktop app can do, injected into the relay the way the SecretStore is (see
 * RelayOptions.desktop). Headless there is none, and the settings show these as unavailable.
 * The shell implements it; the relay never imports the shell.
 */
export interface DesktopCapabilities {
  /** Starting the app when the user logs in (absent where the OS or packaging cannot). */
  startAtLogin?: {
    get(): Promise<boolean> | boolean;
    set(enabled: boolean): Promise<void> | void;
  };
}
