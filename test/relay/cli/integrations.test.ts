import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../relay/cli/main.js';
import { startTestRelay } from '../../helpers/start-relay.js';
import { modeOf, tempHome, type TempHome } from '../integrations/temp-home.js';
import { captureIo, run } from './capture-io.js';

const RELAY_TOKEN = 'relay-token-for-cli-tests-0123';
const PROVIDER_CANARY = 'gsk_canary_provider_key_do_not_write';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('switchboard configure / run', () => {
  let home: TempHome;
  let dir: string;
  let env: Record<string, string | undefined>;
  let opencodeFile: string;

  beforeEach(async () => {
    home = await tempHome();
    dir = join(home.home, 'switchboard-config');
    // A provider key in the environment: it must never reach a client's file.
    env = { ...home.context.env, GROQ_API_KEY: PROVIDER_CANARY };
    opencodeFile = join(home.home, '.config', 'opencode', 'opencode.json');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ version: 1, server: { port: 4848 }, providers: { ollama: { enabled: false }, lmstudio: { enabled: false } } }));
  });
  afterEach(async () => {
    await home.cleanup();
  });

  it('without --yes and without a terminal: prints the diff, writes nothing, says how to go on', async () => {
    const { code, out, err } = await run(['configure', 'opencode'], { dir, env });
    expect(code).toBe(0);
    expect(out).toContain(`--- /dev/null\n+++ ${opencodeFile}\n`);
    expect(out).toContain('+      "npm": "@ai-sdk/openai-compatible",');
    expect(out).toContain('Nothing written: re-run with --yes to make this change (`switchboard configure opencode --yes`).');
    expect(err).toContain('Switchboard is not running');
    expect(await exists(opencodeFile)).toBe(false);
  });

  it('--yes writes the relay token (never a provider key) and the configured port; a second run changes nothing', async () => {
    expect((await run(['token', 'set', RELAY_TOKEN], { dir, env })).code).toBe(0);
    const first = await run(['configure', 'opencode', '--yes'], { dir, env });
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Created ${opencodeFile} (mode 0600).`);
    expect(first.out).not.toContain(RELAY_TOKEN); // the diff on screen shows it masked
    expect(first.out).toContain('"apiKey": "…0123"');
    const text = await readFile(opencodeFile, 'utf8');
    expect(text).not.toContain(PROVIDER_CANARY);
    const value = parse(text);
    expect(value.provider.switchboard.options).toEqual({ baseURL: 'http://127.0.0.1:4848/v1', apiKey: RELAY_TOKEN });
    // Virtual ids first, then the model groups of the providers that have keys (groq here).
    const ids = Object.keys(value.provider.switchboard.models);
    expect(ids.slice(0, 6)).toEqual(['auto-fastest', 'fast', 'coding', 'vision', 'long-context', 'free']);
    expect(ids.length).toBeGreaterThan(6);
    expect(ids.every((id) => !id.includes('/'))).toBe(true);
    expect(value.model).toBeUndefined();
    expect(await modeOf(opencodeFile)).toBe(0o600);

    const second = await run(['configure', 'opencode', '--yes'], { dir, env });
    expect(second.out).toBe(`OpenCode is already set up for Switchboard at http://127.0.0.1:4848/v1 (${opencodeFile}): nothing to change.\n`);
    expect(await readFile(opencodeFile, 'utf8')).toBe(text);
  });

  it('--set-default and --port; --undo restores the original byte for byte', async () => {
    const original = '{\n  // mine\n  "model": "anthropic/claude",\n}\n';
    await mkdir(join(home.home, '.config', 'opencode'), { recursive: true });
    await writeFile(opencodeFile, original);
    const applied = await run(['configure', 'opencode', '--yes', '--set-default', '--port', '5555'], { dir, env });
    expect(applied.code).toBe(0);
    expect(applied.out).toContain(`The original is saved as ${opencodeFile}.switchboard-backup`);
    const value = parse(await readFile(opencodeFile, 'utf8'));
    expect(value.model).toBe('switchboard/auto-fastest');
    expect(value.provider.switchboard.options.baseURL).toBe('http://127.0.0.1:5555/v1');
    expect(value.provider.switchboard.options.apiKey).toBe('switchboard'); // no relay token set

    const dry = await run(['configure', 'opencode', '--undo'], { dir, env });
    expect(dry.out).toContain('-  "model": "switchboard/auto-fastest",');
    expect(dry.out).toContain('Nothing written: re-run with --yes to make this change (`switchboard configure opencode --undo --yes`).');
    const undone = await run(['configure', 'opencode', '--undo', '--yes'], { dir, env });
    expect(undone.out).toContain(`Restored ${opencodeFile} from its backup and removed the backup.`);
    expect(await readFile(opencodeFile, 'utf8')).toBe(original);
    expect((await run(['configure', 'opencode', '--undo', '--yes'], { dir, env })).out).toContain('Nothing to undo');
  });

  it('asks y/N on a terminal', async () => {
    const ask = async (answer: string) => {
      const io = captureIo(env);
      io.stdinIsTerminal = true;
      const questions: string[] = [];
      io.openTerminal = () => ({ ask: async (prompt) => (questions.push(prompt), answer), close: () => undefined });
      const code = await main(['configure', 'openclaw', '--config-dir', dir], io);
      return { code, out: io.out, questions };
    };
    const declined = await ask('n');
    expect(declined.code).toBe(0);
    expect(declined.questions).toEqual([`Write this to ${join(home.home, '.openclaw', 'openclaw.json')}? [y/N] `]);
    expect(declined.out).toContain('Nothing written.');
    expect(await exists(join(home.home, '.openclaw', 'openclaw.json'))).toBe(false);
    const accepted = await ask('y');
    expect(accepted.out).toContain('OpenClaw now lists');
    const value = JSON.parse(await readFile(join(home.home, '.openclaw', 'openclaw.json'), 'utf8'));
    expect(value.models.providers.switchboard.api).toBe('openai-completions');
  });

  it('refuses a symlinked config with one line, and unknown clients with the usage', async () => {
    const canary = join(home.home, 'canary.json');
    await writeFile(canary, '{}\n');
    await mkdir(join(home.home, '.config', 'opencode'), { recursive: true });
    await symlink(canary, opencodeFile);
    const refused = await run(['configure', 'opencode', '--yes'], { dir, env });
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split('\n').at(-1)).toMatch(/^switchboard: Refusing to change .*opencode\.json: it is a symbolic link/);
    expect(await readFile(canary, 'utf8')).toBe('{}\n');

    const unknown = await run(['configure', 'vim'], { dir, env });
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("switchboard: Unknown client 'vim': opencode, openclaw, claude, codex, continue or aider.");
    expect(unknown.err).toContain('Usage: switchboard configure');
  });

  it('takes the base URL and models from a running relay', async () => {
    const relay = await startTestRelay({ env: { HOME: home.home, PATH: home.bin } });
    try {
      const { code } = await run(['configure', 'opencode', '--yes'], { dir: relay.configDir, env });
      expect(code).toBe(0);
      const value = parse(await readFile(opencodeFile, 'utf8'));
      expect(value.provider.switchboard.options.baseURL).toBe(`${relay.url}/v1`);
      expect(Object.keys(value.provider.switchboard.models)).toEqual(['auto-fastest', 'fast', 'coding', 'vision', 'long-context', 'free']);
    } finally {
      await relay.close();
    }
  });

  it('run: starts the client with the relay in its environment, passes arguments through, returns its exit code', async () => {
    const record = join(home.home, 'record.json');
    await home.addBinary(
      'opencode',
      `#!/bin/sh\nprintf '%s' "$OPENCODE_CONFIG_CONTENT" > '${record}.content'\nprintf '%s\\n' "$@" > '${record}.args'\nexit 7\n`,
    );
    const io = captureIo(env);
    const code = await main(['run', '--config-dir', dir, 'opencode', 'run', 'say hi', '-m', 'switchboard/coding', '--help'], io);
    expect(code).toBe(7);
    expect(io.err).toContain('Starting OpenCode against Switchboard at http://127.0.0.1:4848/v1');
    const content = JSON.parse(await readFile(`${record}.content`, 'utf8'));
    expect(content.model).toBe('switchboard/auto-fastest');
    expect(content.provider.switchboard.options.baseURL).toBe('http://127.0.0.1:4848/v1');
    expect(JSON.stringify(content)).not.toContain(PROVIDER_CANARY);
    expect(await readFile(`${record}.args`, 'utf8')).toBe('run\nsay hi\n-m\nswitchboard/coding\n--help\n');
    expect(await exists(opencodeFile)).toBe(false);
  });

  it('run codex: -c overrides go before the user arguments, the token in SWITCHBOARD_API_KEY', async () => {
    expect((await run(['token', 'set', RELAY_TOKEN], { dir, env })).code).toBe(0);
    const record = join(home.home, 'codex-record');
    await home.addBinary('codex', `#!/bin/sh\nprintf '%s' "$SWITCHBOARD_API_KEY" > '${record}.key'\nprintf '%s\\n' "$@" > '${record}.args'\nexit 0\n`);
    const io = captureIo(env);
    expect(await main(['run', '--config-dir', dir, 'codex', 'exec', 'say hi'], io)).toBe(0);
    expect(await readFile(`${record}.key`, 'utf8')).toBe(RELAY_TOKEN);
    const args = (await readFile(`${record}.args`, 'utf8')).trimEnd().split('\n');
    expect(args.slice(-2)).toEqual(['exec', 'say hi']);
    expect(args).toContain('model_providers.switchboard.base_url="http://127.0.0.1:4848/v1"');
    expect(args).toContain('model_provider="switchboard"');
    expect(args.join('\n')).not.toContain(PROVIDER_CANARY);
    expect(await exists(join(home.home, '.codex', 'config.toml'))).toBe(false);
  });

  it('configure claude / codex / continue / aider write their files with the relay token, never a provider key', async () => {
    expect((await run(['token', 'set', RELAY_TOKEN], { dir, env })).code).toBe(0);
    for (const client of ['claude', 'codex', 'continue', 'aider']) {
      const result = await run(['configure', client, '--yes'], { dir, env });
      expect(result.code).toBe(0);
      expect(result.out).not.toContain(RELAY_TOKEN);
      expect(result.out + result.err).not.toContain(PROVIDER_CANARY);
    }
    const claude = JSON.parse(await readFile(join(home.home, '.claude', 'settings.json'), 'utf8'));
    expect(claude.env).toEqual({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:4848', ANTHROPIC_AUTH_TOKEN: RELAY_TOKEN, ANTHROPIC_API_KEY: '' });
    expect(await readFile(join(home.home, '.codex', 'config.toml'), 'utf8')).toContain('base_url = "http://127.0.0.1:4848/v1"');
    expect(await readFile(join(home.home, '.continue', 'config.yaml'), 'utf8')).toContain(`apiKey: ${RELAY_TOKEN}`);
    expect(await readFile(join(home.home, '.aider.conf.yml'), 'utf8')).toBe(`openai-api-base: http://127.0.0.1:4848/v1\nopenai-api-key: ${RELAY_TOKEN}\n`);
    for (const file of [join(home.home, '.claude', 'settings.json'), join(home.home, '.aider.conf.yml')]) expect(await readFile(file, 'utf8')).not.toContain(PROVIDER_CANARY);
  });

  it('snippets: per-wire base URLs, the token masked unless --reveal, one client when named', async () => {
    expect((await run(['token', 'set', RELAY_TOKEN], { dir, env })).code).toBe(0);
    const all = await run(['snippets'], { dir, env });
    expect(all.code).toBe(0);
    expect(all.out).toContain('## Cursor');
    expect(all.out).toContain('curl http://127.0.0.1:4848/v1/messages');
    expect(all.out).toContain('curl http://127.0.0.1:4848/api/chat');
    expect(all.out).toContain('base_url="http://127.0.0.1:4848/v1"');
    expect(all.out).not.toContain(RELAY_TOKEN);
    expect(all.out).toContain('…0123');
    expect(all.err).toContain('--reveal');
    expect(all.out + all.err).not.toContain(PROVIDER_CANARY);
    const one = await run(['snippets', 'anthropic-sdk', '--reveal'], { dir, env });
    expect(one.out).toContain(`auth_token="${RELAY_TOKEN}"`);
    expect(one.out).not.toContain('## OpenAI');
    const bad = await run(['snippets', 'emacs'], { dir, env });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("Unknown client 'emacs'");
  });

  it('run: a missing client is one clear line', async () => {
    const io = captureIo(env);
    const code = await main(['run', '--config-dir', dir, 'openclaw', 'agent'], io);
    expect(code).toBe(1);
    expect(io.err).toBe("switchboard: OpenClaw is not installed here: no 'openclaw' on PATH. Install it (npm install -g openclaw) and run this again.\n");
  });

  it('run: needs a client name; its own options go before it', async () => {
    const none = await run(['run'], { dir, env });
    expect(none.code).toBe(2);
    expect(none.err).toContain('Name the client: opencode, openclaw, claude, codex, continue or aider.');
    const bad = await run(['run', '--frobnicate', 'opencode'], { env });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("Unknown option '--frobnicate' before the client's name");
  });
});
