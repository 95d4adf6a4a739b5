#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { main } from './cli/main.js';

/**
 * The `switchboard` command (package.json `bin`): the headless relay and its management
 * commands. The work happens in relay/cli/; this file only runs it as a program.
 */

export { main } from './cli/main.js';
export type { CliIo } from './cli/io.js';

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // Idle upstream connections may hold the event loop open for a while after the relay closed.
  setTimeout(() => process.exit(code), 1_000).unref();
}
