import { describe, expect, it } from 'vitest';
import { decideLaunch, type LaunchEnvironment } from '../../electron/launch-decision.js';

const base: LaunchEnvironment = { platform: 'linux', env: { DISPLAY: ':0' }, electron: { binary: '/x/electron' }, binaryExists: true };

describe('decideLaunch', () => {
  it.each<[string, Partial<LaunchEnvironment>, ReturnType<typeof decideLaunch>]>([
    ['Linux with X11', {}, { mode: 'electron', binary: '/x/electron' }],
    ['Linux with Wayland only', { env: { WAYLAND_DISPLAY: 'wayland-0' } }, { mode: 'electron', binary: '/x/electron' }],
    ['macOS without DISPLAY', { platform: 'darwin', env: {} }, { mode: 'electron', binary: '/x/electron' }],
    ['Windows without DISPLAY', { platform: 'win32', env: {} }, { mode: 'electron', binary: '/x/electron' }],
    ['Linux without a display', { env: {} }, { mode: 'headless', reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' }],
    ['binary never downloaded', { electron: { error: 'Electron failed to install correctly, please delete node_modules/electron and try installing again\nmore' } }, { mode: 'headless', reason: "Electron's binary has not been downloaded (run `node node_modules/electron/install.js` once to get it)" }],
    ['binary path missing on disk', { binaryExists: false }, { mode: 'headless', reason: 'the Electron binary is missing (/x/electron)' }],
    ['forced headless', { env: { DISPLAY: ':0', SWITCHBOARD_HEADLESS: '1' } }, { mode: 'headless', reason: 'SWITCHBOARD_HEADLESS is set' }],
  ])('%s', (_name, overrides, expected) => {
    expect(decideLaunch({ ...base, ...overrides })).toEqual(expected);
  });
});
