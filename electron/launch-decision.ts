/** Whether `npm start` can open the desktop app here, or must run the relay headless and why. */
export type LaunchDecision = { mode: 'electron'; binary: string } | { mode: 'headless'; reason: string };

export interface LaunchEnvironment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** What `require('electron')` returned, or the error it threw (no binary downloaded). */
  electron: { binary: string } | { error: string };
  /** Whether the resolved binary exists on disk. */
  binaryExists: boolean;
}

export function decideLaunch(environment: LaunchEnvironment): LaunchDecision {
  const { env, platform, electron } = environment;
  if (env.SWITCHBOARD_HEADLESS === '1' || env.SWITCHBOARD_HEADLESS === 'true') return { mode: 'headless', reason: 'SWITCHBOARD_HEADLESS is set' };
  // `npm install` never downloads Electron's binary (its install script is denied), so this is
  // the usual case on a fresh checkout: say how to get it instead of Electron's own advice to reinstall.
  if ('error' in electron) return { mode: 'headless', reason: "Electron's binary has not been downloaded (run `node node_modules/electron/install.js` once to get it)" };
  if (!environment.binaryExists) return { mode: 'headless', reason: `the Electron binary is missing (${electron.binary})` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { mode: 'headless', reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { mode: 'electron', binary: electron.binary };
}
