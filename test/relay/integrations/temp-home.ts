import { access, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { IntegrationContext, RelayTarget } from '../../../relay/integrations/integration.js';

/** A throwaway HOME (never the real one) with an empty bin directory as the whole PATH. */
export interface TempHome {
  home: string;
  bin: string;
  context: IntegrationContext;
  /** Puts an executable shell script named `name` on the PATH. */
  addBinary(name: string, script?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempHome(extraEnv: Record<string, string> = {}): Promise<TempHome> {
  const root = await mkdtemp(join(tmpdir(), 'switchboard-home-'));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  await mkdir(home, { recursive: true });
  await mkdir(bin, { recursive: true });
  return {
    home,
    bin,
    context: { env: { HOME: home, USERPROFILE: home, PATH: bin, ...extraEnv }, platform: 'linux' },
    async addBinary(name, script = '#!/bin/sh\nexit 0\n') {
      const path = join(bin, name);
      await writeFile(path, script);
      await chmod(path, 0o755);
      return path;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export const TOKEN = 'relay-token-0123456789abcdef';

export function target(overrides: Partial<RelayTarget> = {}): RelayTarget {
  return {
    baseUrl: 'http://127.0.0.1:4747/v1',
    apiKey: TOKEN,
    models: [
      { id: 'auto-fastest', name: 'Auto (fastest healthy model)', contextWindow: 131_072 },
      { id: 'coding', name: 'Coding (tools, 32k+ context)' },
      { id: 'vision', name: 'Vision (takes images)', contextWindow: 128_000, vision: true },
      { id: 'llama-3.3-70b', name: 'llama-3.3-70b', contextWindow: 131_072, maxOutputTokens: 32_768 },
    ],
    ...overrides,
  };
}

/** Permission bits of a file, e.g. 0o600. */
export async function modeOf(path: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  return (await stat(path)).mode & 0o777;
}

/** Whether a path exists (any kind of file). */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Writes a client's existing config file (creating its folder) with the given mode, as a user would have it. */
export async function writeClientFile(path: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  await chmod(path, mode);
}
