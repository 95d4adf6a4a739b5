#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideLaunch, type LaunchEnvironment } from './launch-decision.js';

// `npm start`: the desktop app where Electron can run, else the headless relay, saying why in one line.
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);

function resolveElectron(): LaunchEnvironment['electron'] {
  try {
    // In plain Node the electron package exports the path of its binary; it throws when none was downloaded.
    const binary: unknown = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' ? { binary } : { error: 'the electron package did not export a path' };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function run(command: string, commandArgs: string[], onSpawnError: (error: Error) => void): void {
  const child = spawn(command, commandArgs, { stdio: 'inherit' });
  child.on('error', onSpawnError);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
}

function headless(reason: string): void {
  console.error(`switchboard: not starting the desktop app: ${reason}; running the relay headless.`);
  run(process.execPath, [join(here, '../relay/cli.js'), 'serve', ...args], (error) => {
    console.error(`switchboard: could not start the relay: ${error.message}`);
    process.exit(1);
  });
}

const electron = resolveElectron();
const decision = decideLaunch({
  platform: process.platform,
  env: process.env,
  electron,
  binaryExists: 'binary' in electron && existsSync(electron.binary),
});
if (decision.mode === 'headless') headless(decision.reason);
else run(decision.binary, [join(here, 'main.js'), ...args], (error) => headless(`Electron failed to start (${error.message})`));
