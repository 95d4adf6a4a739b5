import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';

/** The settings document (non-secret, validated by configSchema). */
export const CONFIG_FILE = 'config.json';
/** Key material of the headless FileSecretStore (0600). */
export const SECRETS_FILE = 'secrets.json';
/** Written by a running relay: its pid, url and port, so the CLI and the app can find it. */
export const RUNTIME_FILE = 'relay.json';
/** The per-install admin secret. */
export const ADMIN_TOKEN_FILE = 'admin-token';
/** Route measurements saved across runs, so routing starts from what it knew. */
export const QOS_FILE = 'qos.json';

export interface ResolveConfigDirOptions {
  /** The value of `--config-dir`, when given. */
  flag?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
  /** Defaults to os.homedir(). */
  home?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Where settings and secrets live: `--config-dir`, else `SWITCHBOARD_CONFIG_DIR`, else the
 * platform's app-data folder (`$XDG_CONFIG_HOME/switchboard` or `~/.config/switchboard` on Linux
 * and other Unixes, `~/Library/Application Support/Switchboard` on macOS,
 * `%APPDATA%\Switchboard` on Windows). An explicit relative path is resolved against the
 * current directory.
 */
export function resolveConfigDir(options: ResolveConfigDirOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;

  const explicit = nonEmpty(options.flag) ?? nonEmpty(env.SWITCHBOARD_CONFIG_DIR);
  if (explicit !== undefined) return path.isAbsolute(explicit) ? path.normalize(explicit) : resolve(explicit);

  const home = options.home ?? homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Switchboard');
    case 'win32': {
      const appData = nonEmpty(env.APPDATA);
      return appData !== undefined ? path.join(appData, 'Switchboard') : path.join(home, 'AppData', 'Roaming', 'Switchboard');
    }
    default: {
      // The XDG spec says relative values are invalid and must be ignored.
      const xdg = nonEmpty(env.XDG_CONFIG_HOME);
      const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
      return path.join(base, 'switchboard');
    }
  }
}

/** The full paths of the files in a config directory. */
export function configFiles(dir: string): { config: string; secrets: string; runtime: string; adminToken: string; qos: string } {
  return {
    qos: resolve(dir, QOS_FILE),
    config: resolve(dir, CONFIG_FILE),
    secrets: resolve(dir, SECRETS_FILE),
    runtime: resolve(dir, RUNTIME_FILE),
    adminToken: resolve(dir, ADMIN_TOKEN_FILE),
  };
}
