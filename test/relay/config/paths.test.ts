import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN_FILE,
  CONFIG_FILE,
  RUNTIME_FILE,
  SECRETS_FILE,
  configFiles,
  resolveConfigDir,
} from '../../../relay/config/paths.js';

describe('resolveConfigDir', () => {
  it('prefers the --config-dir flag over the environment', () => {
    expect(resolveConfigDir({ flag: '/tmp/flag', env: { SWITCHBOARD_CONFIG_DIR: '/tmp/env' }, platform: 'linux', home: '/home/u' })).toBe(
      '/tmp/flag',
    );
  });

  it('uses SWITCHBOARD_CONFIG_DIR when there is no flag', () => {
    expect(resolveConfigDir({ env: { SWITCHBOARD_CONFIG_DIR: '/tmp/env' }, platform: 'darwin', home: '/Users/u' })).toBe('/tmp/env');
  });

  it('ignores blank values and resolves relative paths against the current directory', () => {
    expect(resolveConfigDir({ flag: '  ', env: { SWITCHBOARD_CONFIG_DIR: 'rel/dir' }, platform: process.platform })).toBe(resolve('rel/dir'));
  });

  it('uses $XDG_CONFIG_HOME/switchboard on Linux', () => {
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/u' })).toBe('/xdg/switchboard');
  });

  it('falls back to ~/.config/switchboard on Linux and other Unixes', () => {
    expect(resolveConfigDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/switchboard');
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'freebsd', home: '/home/u' })).toBe(
      '/home/u/.config/switchboard',
    );
  });

  it('uses ~/Library/Application Support/Switchboard on macOS', () => {
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'darwin', home: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/Switchboard',
    );
  });

  it('uses %APPDATA%\\Switchboard on Windows, else the roaming folder under home', () => {
    expect(resolveConfigDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Switchboard',
    );
    expect(resolveConfigDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Switchboard');
    expect(resolveConfigDir({ flag: 'D:\\sb', env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe('D:\\sb');
  });
});

describe('file names', () => {
  it('names the files in the config directory', () => {
    expect([CONFIG_FILE, SECRETS_FILE, RUNTIME_FILE, ADMIN_TOKEN_FILE]).toEqual(['config.json', 'secrets.json', 'relay.json', 'admin-token']);
    expect(configFiles('/cfg')).toEqual({
      config: resolve('/cfg', 'config.json'),
      secrets: resolve('/cfg', 'secrets.json'),
      runtime: resolve('/cfg', 'relay.json'),
      adminToken: resolve('/cfg', 'admin-token'),
      qos: resolve('/cfg', 'qos.json'),
    });
  });
});
