import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../relay/cli/main.js';
import type { TerminalPrompt } from '../../../relay/cli/io.js';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';
import { captureIo, run, type CapturedIo } from './capture-io.js';

const CANARY = 'sk-canary-0123456789abcdef';
const PASSPHRASE = 'pipeline passphrase';

/** A captured io whose terminal answers from a script (absent: there is no terminal). */
function ioWith(options: { stdin?: string[]; terminal?: string[]; stdinIsTerminal?: boolean }): CapturedIo & { asked: string[] } {
  const io = Object.assign(captureIo({}, options.stdin ?? []), { asked: [] as string[] });
  if (options.stdinIsTerminal) io.stdinIsTerminal = true;
  const answers = options.terminal;
  if (answers) {
    io.openTerminal = (): TerminalPrompt => ({
      ask: async (prompt) => {
        io.asked.push(prompt);
        const next = answers.shift();
        if (next === undefined) throw new Error('Cancelled.');
        return next;
      },
      close: () => undefined,
    });
  }
  return io;
}

describe('switchboard config export | import', () => {
  let root: string;
  let a: string;
  let b: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-config-'));
    a = join(root, 'a');
    b = join(root, 'b');
    expect((await run(['keys', 'add', 'groq', CANARY, '--label', 'main'], { dir: a })).code).toBe(0);
    expect((await run(['endpoints', 'add', 'lab', 'http://127.0.0.1:8000/v1', '--no-discovery', '--model', 'qwen'], { dir: a })).code).toBe(0);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function exportFrom(dir: string, args: string[] = [], stdin: string[] = []): Promise<string> {
    const io = ioWith({ stdin });
    expect(await main(['config', 'export', ...args, '--config-dir', dir], io)).toBe(0);
    expect(io.out.endsWith('\n')).toBe(true);
    expect(io.out.trim().split('\n')).toHaveLength(1);
    return io.out;
  }

  it('pipes a sealed export into an import: passphrase and confirmation on the terminal', async () => {
    const token = await exportFrom(a, ['--include-keys'], [`${PASSPHRASE}\n`]);
    expect(token.startsWith('sbcfg1.sealed.')).toBe(true);
    expect(token).not.toContain(CANARY);

    const io = ioWith({ stdin: [token], terminal: [PASSPHRASE, 'y'] });
    expect(await main(['config', 'import', '--config-dir', b], io)).toBe(0);
    expect(io.asked).toEqual(['Passphrase of the token (not shown): ', '\nApply these changes? [y/N] ']);
    expect(io.out).toContain('Base URLs added or changed (check them: the keys shown are sent there):\n  lab: new endpoint at http://127.0.0.1:8000/v1 (0 keys)');
    expect(io.out).toContain("Keys to add:\n  groq 'main' …cdef");
    expect(io.out).toContain('Imported.');
    expect(io.out + io.err).not.toContain(CANARY);

    const settings = JSON.parse(await readFile(join(b, 'config.json'), 'utf8')) as { endpoints: Array<{ id: string }>; providers: Record<string, { keys: unknown[] }> };
    expect(settings.endpoints.map((endpoint) => endpoint.id)).toEqual(['lab']);
    expect(settings.providers.groq?.keys).toHaveLength(1);
    expect(await readFile(join(b, 'secrets.json'), 'utf8')).toContain(CANARY);
    const listed = await run(['keys', 'list', 'groq'], { dir: b });
    expect(listed.out).toContain('…cdef');
  });

  it('imports a keyless export with --yes and no terminal at all', async () => {
    const token = await exportFrom(a);
    expect(token.startsWith('sbcfg1.plain.')).toBe(true);
    const io = ioWith({ stdin: [token] });
    expect(await main(['config', 'import', '-', '--yes', '--config-dir', b], io)).toBe(0);
    expect(io.out).toContain('Imported.');
    const settings = JSON.parse(await readFile(join(b, 'config.json'), 'utf8')) as { endpoints: Array<{ id: string }> };
    expect(settings.endpoints.map((endpoint) => endpoint.id)).toEqual(['lab']);
  });

  it('changes nothing without confirmation', async () => {
    const token = await exportFrom(a);
    const noTerminal = ioWith({ stdin: [token] });
    expect(await main(['config', 'import', '--config-dir', b], noTerminal)).toBe(1);
    expect(noTerminal.out).toContain('lab: new endpoint');
    expect(noTerminal.err).toBe('Nothing was changed: there is no terminal to confirm on. Run again with --yes to apply.\n');
    const declined = ioWith({ stdin: [token], terminal: ['n'] });
    expect(await main(['config', 'import', '--config-dir', b], declined)).toBe(1);
    expect(declined.err).toBe('Nothing was changed.\n');
    // The preview does not even create the config directory.
    await expect(readFile(join(b, 'config.json'), 'utf8')).rejects.toThrow();
  });

  it('takes the token as an argument and the passphrase from stdin', async () => {
    const token = (await exportFrom(a, ['--include-keys'], [PASSPHRASE])).trim();
    const wrong = await run(['config', 'import', token, '--yes'], { dir: b, stdin: ['wrong passphrase\n'] });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe('switchboard: The token cannot be opened: the passphrase is wrong, or the token was changed or cut short.\n');
    const right = await run(['config', 'import', token, '--yes', '--replace'], { dir: b, stdin: [`${PASSPHRASE}\n`] });
    expect(right.code).toBe(0);
    expect(right.out).toContain('A replacing import');
    expect(right.out).toContain("groq 'main' …cdef");
  });

  it('refuses a sealed token on stdin when there is no terminal for the passphrase', async () => {
    const token = await exportFrom(a, ['--include-keys'], [PASSPHRASE]);
    const io = ioWith({ stdin: [token] });
    expect(await main(['config', 'import', '--yes', '--config-dir', b], io)).toBe(1);
    expect(io.err).toContain('there is no terminal to ask for its passphrase');
  });

  it('asks for the passphrase twice on a terminal, and refuses a mismatch or a short one', async () => {
    const mismatch = ioWith({ stdin: [PASSPHRASE, 'something else'], stdinIsTerminal: true });
    expect(await main(['config', 'export', '--include-keys', '--config-dir', a], mismatch)).toBe(1);
    expect(mismatch.prompts).toHaveLength(2);
    expect(mismatch.err).toBe('switchboard: The two passphrases differ; nothing was exported.\n');
    expect(mismatch.out).toBe('');
    const short = ioWith({ stdin: ['short'] });
    expect(await main(['config', 'export', '--include-keys', '--config-dir', a], short)).toBe(1);
    expect(short.err).toBe('switchboard: The passphrase needs at least 8 characters.\n');
    const twice = ioWith({ stdin: [PASSPHRASE, PASSPHRASE], stdinIsTerminal: true });
    expect(await main(['config', 'export', '--include-keys', '--config-dir', a], twice)).toBe(0);
    expect(twice.out.startsWith('sbcfg1.sealed.')).toBe(true);
    expect(twice.err).toContain('Exported the settings and 1 key');
  });

  it('says what is wrong with something that is not a token', async () => {
    const io = ioWith({ stdin: ['hello there'] });
    expect(await main(['config', 'import', '--config-dir', b], io)).toBe(1);
    expect(io.err).toBe('switchboard: This is not a Switchboard settings token (they start with sbcfg1.).\n');
    const usage = await run(['config'], { dir: b });
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('Missing the config subcommand: export or import.');
    const help = await run(['help', 'config', 'import']);
    expect(help.out).toContain('Usage: switchboard config import');
  });

  describe('with a running relay', () => {
    let relay: TestRelay;
    beforeEach(async () => {
      relay = await startTestRelay({ config: { version: 1, providers: { groq: { discovery: false, baseUrl: 'http://127.0.0.1:9/v1' } } } });
    });
    afterEach(async () => {
      await relay?.close();
    });

    it('exports and imports through the admin API', async () => {
      const token = await exportFrom(a, ['--include-keys'], [PASSPHRASE]);
      const io = ioWith({ stdin: [token], terminal: [PASSPHRASE, 'yes'] });
      expect(await main(['config', 'import', '--config-dir', relay.configDir], io)).toBe(0);
      expect(io.out).toContain('Imported. The running relay uses the new settings now.');
      expect((await relay.secrets.list()).length).toBe(1);
      const again = await exportFrom(relay.configDir);
      expect(again.startsWith('sbcfg1.plain.')).toBe(true);
      expect(Buffer.from(again.trim().slice('sbcfg1.plain.'.length), 'base64url').toString('utf8')).toContain('"lab"');
    });
  });
});
