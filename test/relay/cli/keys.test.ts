import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';
import { run } from './capture-io.js';

const CANARY = 'sk-canary-0123456789abcdef';

describe('switchboard keys', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-keys-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function config(): Promise<{ providers: Record<string, { keys: Array<{ id: string; label: string; models?: string[] }> }> }> {
    return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  }

  it('reads the key from stdin when it is left out or -, and stores it 0600 apart from the settings', async () => {
    const added = await run(['keys', 'add', 'groq'], { dir, stdin: [`${CANARY}\n`] });
    expect(added.code).toBe(0);
    expect(added.io.prompts).toEqual(['Paste the groq key (it is not shown) and press Enter: ']);
    expect(added.out).toBe("Added key 'key-1' (…cdef) to groq.\n");
    const dash = await run(['keys', 'add', 'groq', '-', '--label', 'backup', '--models', 'llama-*,qwen/*'], { dir, stdin: ['gsk_second_key_2222'] });
    expect(dash.code).toBe(0);
    expect(dash.out).toContain("Added key 'backup' (…2222) to groq for llama-*, qwen/*.");

    const settings = await readFile(join(dir, 'config.json'), 'utf8');
    expect(settings).not.toContain(CANARY);
    expect((await config()).providers.groq?.keys.map((key) => [key.label, key.models])).toEqual([
      ['key-1', undefined],
      ['backup', ['llama-*', 'qwen/*']],
    ]);
    const secrets = await readFile(join(dir, 'secrets.json'), 'utf8');
    expect(secrets).toContain(CANARY);
    if (process.platform !== 'win32') expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    expect(added.err + dash.err).toBe('');
  });

  it('takes the key as an argument too, and refuses an empty one', async () => {
    const added = await run(['keys', 'add', 'cerebras', 'csk-argument-key-4444', '--label', 'arg'], { dir });
    expect(added.code).toBe(0);
    const empty = await run(['keys', 'add', 'cerebras'], { dir, stdin: ['\n'] });
    expect(empty.code).toBe(1);
    expect(empty.err).toBe('switchboard: The key is empty.\n');
  });

  it('lists keys masked, environment keys included', async () => {
    await run(['keys', 'add', 'groq', CANARY], { dir });
    const env = { GROQ_API_KEY_1: 'gsk_env_one_aaaa1111', GROQ_API_KEY: 'gsk_env_zero_zzzz0000' };
    const { code, out } = await run(['keys', 'list'], { dir, env });
    expect(code).toBe(0);
    expect(out).not.toContain(CANARY);
    expect(out).not.toContain('gsk_env');
    expect(out.split('\n')).toEqual([
      'PROVIDER  LABEL           KEY    SOURCE  MODELS',
      'groq      key-1           …cdef  stored  *',
      'groq      GROQ_API_KEY    …0000  env     *',
      'groq      GROQ_API_KEY_1  …1111  env     *',
      '',
    ]);
    const one = await run(['keys', 'list', 'cerebras'], { dir });
    expect(one.out).toBe('No keys for cerebras. Add one with `switchboard keys add cerebras`.\n');
  });

  it('removes a stored key and refuses environment keys', async () => {
    await run(['keys', 'add', 'groq', CANARY, '--label', 'work'], { dir });
    const removed = await run(['keys', 'remove', 'groq', 'work'], { dir });
    expect(removed.code).toBe(0);
    expect(removed.out).toBe("Removed key 'work' (…cdef) from groq.\n");
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).not.toContain(CANARY);
    const env = await run(['keys', 'remove', 'groq', 'GROQ_API_KEY'], { dir, env: { GROQ_API_KEY: 'gsk_env_one_aaaa1111' } });
    expect(env.code).toBe(1);
    expect(env.err).toContain('unset the variable GROQ_API_KEY');
  });

  describe('with a running relay', () => {
    let relay: TestRelay;
    beforeEach(async () => {
      // groq points at a closed local port: no key ever leaves the machine in tests.
      relay = await startTestRelay({ config: { version: 1, providers: { groq: { discovery: false, baseUrl: 'http://127.0.0.1:9/v1' } } } });
    });
    afterEach(async () => {
      await relay.close();
    });

    it('adds, lists and removes through the admin API so the relay uses the key at once', async () => {
      const added = await run(['keys', 'add', 'groq', '-'], { dir: relay.configDir, stdin: [CANARY] });
      expect(added.code).toBe(0);
      expect(added.out).toBe("Added key 'key-1' (…cdef) to groq. The running relay uses it now.\n");
      // The test relay keeps secrets in memory: only the admin API could have put it there.
      expect(Object.values(Object.fromEntries(await Promise.all((await relay.secrets.list()).map(async (id) => [id, await relay.secrets.get(id)]))))).toEqual([CANARY]);
      const models = await run(['models'], { dir: relay.configDir });
      expect(models.out).toMatch(/\n\S*\s*groq\/llama-3\.1-8b-instant\s+llama-3\.1-8b\s+\S+\s+-\s+-\s+-\s+-\s+131,072\s+yes\n/);

      const listed = await run(['keys', 'list'], { dir: relay.configDir });
      expect(listed.out).toContain('STATE');
      expect(listed.out).toMatch(/groq\s+key-1\s+…cdef\s+stored\s+\*\s+ok/);
      expect(listed.out).not.toContain(CANARY);

      const removed = await run(['keys', 'remove', 'groq', 'key-1'], { dir: relay.configDir });
      expect(removed.code).toBe(0);
      expect(await relay.secrets.list()).toEqual([]);
    });

    it('never echoes a key given in the wrong place', async () => {
      const swapped = await run(['keys', 'add', CANARY, 'groq'], { dir: relay.configDir });
      expect(swapped.code).toBe(1);
      expect(swapped.err).toContain('the provider comes first, then the key');
      const extra = await run(['keys', 'list', 'groq', CANARY], { dir: relay.configDir });
      expect(extra.code).toBe(2);
      expect(swapped.err + extra.err).not.toContain(CANARY);
    });

    it('reports the admin API error in one line', async () => {
      const { code, err } = await run(['keys', 'add', 'nope', CANARY], { dir: relay.configDir });
      expect(code).toBe(1);
      expect(err).toMatch(/^switchboard: Unknown provider 'nope'\./);
      expect(err).not.toContain(CANARY);
    });
  });
});
