import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitCommand } from '../../../relay/cli/args.js';
import { COMMAND_MODULES } from '../../../relay/cli/main.js';
import { COMMAND_USAGE } from '../../../relay/cli/usage.js';
import { run } from './capture-io.js';

describe('switchboard command line', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds every documented command in the module its first word names, and nothing else there', async () => {
    const notCommands = new Set(['keys', 'endpoints', 'token', 'config', 'help']);
    const documented = Object.keys(COMMAND_USAGE).filter((name) => !notCommands.has(name));
    for (const name of documented) {
      const commands = await COMMAND_MODULES.get(name.split(' ')[0] ?? '')?.();
      expect(commands?.map((command) => command.name), name).toContain(name);
    }
    for (const [word, load] of COMMAND_MODULES) {
      const names = (await load()).map((command) => command.name);
      expect(names.some((name) => name.split(' ')[0] === word), word).toBe(true);
      for (const name of names) expect(documented, name).toContain(name);
    }
  });

  it('treats names of object properties as unknown commands', async () => {
    for (const word of ['constructor', '__proto__', 'toString']) {
      const { code, err } = await run([word]);
      expect(code, word).toBe(2);
      expect(err).toContain(`Unknown command '${word}'`);
    }
  });

  it('prints usage on stderr and exits 2 for an unknown command', async () => {
    const { code, out, err } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain("Unknown command 'frobnicate'");
    expect(err).toContain('Usage: switchboard <command> [options]');
  });

  it('exits 2 without a command, for unknown options and for missing or extra arguments', async () => {
    expect((await run([])).code).toBe(2);
    const option = await run(['status', '--frob'], { dir });
    expect(option.code).toBe(2);
    expect(option.err).toContain("Unknown option '--frob'");
    expect(option.err).toContain('Usage: switchboard status');
    const missing = await run(['keys', 'remove', 'groq'], { dir });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('Missing PROVIDER and ID_OR_LABEL');
    expect(missing.err).toContain('Usage: switchboard keys remove');
    const extra = await run(['models', 'extra'], { dir });
    expect(extra.code).toBe(2);
    const sub = await run(['keys', 'frob'], { dir });
    expect(sub.code).toBe(2);
    expect(sub.err).toContain("Unknown subcommand 'frob' of keys");
    expect((await run(['keys'], { dir })).code).toBe(2);
    const port = await run(['serve', '--port', 'eighty'], { dir });
    expect(port.code).toBe(2);
    expect(port.err).toContain('--port must be a number');
  });

  it('prints help on stdout for every command', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    expect(main.out).toContain('keys add PROVIDER [KEY]');
    for (const args of [['help', 'keys', 'add'], ['keys', 'add', '--help'], ['keys', '--help'], ['serve', '-h'], ['help', 'doctor'], ['endpoints', 'add', '--help']]) {
      const { code, out, err } = await run(args);
      expect(code, args.join(' ')).toBe(0);
      expect(err).toBe('');
      expect(out).toMatch(/^Usage: switchboard /);
    }
    const keysAdd = await run(['keys', 'add', '--help']);
    expect(keysAdd.out).toContain('does not land in your shell');
    expect(keysAdd.out).toContain('groq, cerebras');
    expect((await run(['help', 'nope'])).code).toBe(2);
  });

  it('prints the version', async () => {
    const { code, out } = await run(['--version']);
    expect(code).toBe(0);
    expect(out).toBe('0.1.0\n');
  });

  it('takes the config directory from SWITCHBOARD_CONFIG_DIR or --config-dir anywhere', async () => {
    const viaEnv = await run(['status'], { env: { SWITCHBOARD_CONFIG_DIR: dir } });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.out).toContain(`Config dir:  ${dir}`);
    const before = await run(['--config-dir', dir, 'status']);
    expect(before.out).toContain(`Config dir:  ${dir}`);
    const equals = await run([`--config-dir=${dir}`, 'endpoints', 'list']);
    expect(equals.code).toBe(0);
  });

  it('splits command words from options and operands', () => {
    expect(splitCommand(['--config-dir', 'x', 'keys', 'add', 'groq', '-', '--label', 'a'])).toEqual({ words: ['keys', 'add'], rest: ['--config-dir', 'x', 'groq', '-', '--label', 'a'] });
    expect(splitCommand(['help', 'keys', 'add'])).toEqual({ words: ['help', 'keys', 'add'], rest: [] });
    expect(splitCommand(['keys', 'add', 'groq', '--', '-dash-key'])).toEqual({ words: ['keys', 'add'], rest: ['groq', '--', '-dash-key'] });
  });

  it('reports failures in one line on stderr with exit code 1', async () => {
    const { code, out, err } = await run(['keys', 'remove', 'nope', 'key-1'], { dir });
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^switchboard: Unknown provider 'nope'\. Valid ids: groq, /);
  });
});
