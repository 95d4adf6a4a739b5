import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LoginItemSettingsOptions, Settings } from 'electron';

export interface AutostartContext {
  app: {
    setLoginItemSettings(settings: Settings): void;
    getLoginItemSettings(options?: LoginItemSettingsOptions): { openAtLogin: boolean };
  };
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The app binary (process.execPath); an AppImage's own path wins on Linux. */
  execPath: string;
  home?: string;
}

/** Started at login, the app opens to the tray only. */
export const HIDDEN_ARG = '--hidden';

export function linuxAutostartFile(context: Pick<AutostartContext, 'env' | 'home'>): string {
  const configHome = context.env.XDG_CONFIG_HOME || join(context.home ?? homedir(), '.config');
  return join(configHome, 'autostart', 'switchboard.desktop');
}

/** Quotes one Exec argument as the Desktop Entry spec asks. */
function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

export function desktopEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Switchboard',
    'Comment=Local LLM relay',
    `Exec=${quoteExecArg(exec).replace(/%/g, '%%')} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

function linuxExec(context: AutostartContext): string {
  return context.env.APPIMAGE || context.execPath;
}

export async function setStartAtLogin(enabled: boolean, context: AutostartContext): Promise<void> {
  if (context.platform === 'linux') {
    const file = linuxAutostartFile(context);
    if (!enabled) {
      await rm(file, { force: true });
      return;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, desktopEntry(linuxExec(context)), { mode: 0o644 });
    return;
  }
  // macOS reads openAsHidden; Windows needs the flag passed as an argument.
  context.app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] });
}

export async function getStartAtLogin(context: AutostartContext): Promise<boolean> {
  if (context.platform === 'linux') {
    try {
      await readFile(linuxAutostartFile(context), 'utf8');
      return true;
    } catch {
      return false;
    }
  }
  return context.app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin;
}
