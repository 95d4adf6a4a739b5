import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codex } from '../../../relay/integrations/codex.js';
import { BACKUP_SUFFIX, createIntegration, CREATED_SUFFIX, IntegrationError } from '../../../relay/integrations/integration.js';
import { exists, modeOf, target, tempHome, TOKEN, type TempHome, writeClientFile } from './temp-home.js';

const integration = createIntegration(codex);

const EXISTING = `# Codex settings
model = "gpt-5-codex" # my usual
approval_policy = "on-request"

# Local Ollama
[model_providers.ollama]
name = "Ollama"
base_url = "http://127.0.0.1:11434/v1"

[profiles.fast]
model = 'o4-mini'
`;


describe('Codex CLI integration', () => {
  let home: TempHome;
  let file: string;
  beforeEach(async () => {
    home = await tempHome();
    file = join(home.home, '.codex', 'config.toml');
  });
  afterEach(async () => {
    await home.cleanup();
  });

  async function writeExisting(text = EXISTING, mode = 0o644): Promise<void> {
    await writeClientFile(file, text, mode);
  }

  it('creates config.toml with our provider table (Responses wire, key from the environment), mode 0600', async () => {
    const result = await integration.apply(home.context, { target: target() });
    expect(result.configPath).toBe(file);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('[model_providers.switchboard]\nname = "Switchboard"\nbase_url = "http://127.0.0.1:4747/v1"\nenv_key = "SWITCHBOARD_API_KEY"\n')).toBe(true);
    const value = parse(text) as any;
    expect(value.model_providers.switchboard).toMatchObject({ name: 'Switchboard', base_url: 'http://127.0.0.1:4747/v1', env_key: 'SWITCHBOARD_API_KEY', wire_api: 'responses' });
    expect(value.model).toBeUndefined();
    expect(value.model_provider).toBeUndefined();
    // Codex takes keys from the environment only: the token is not in the file.
    expect(text).not.toContain(TOKEN);
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(join(home.home, '.codex'))).toBe(0o700);
    expect(await modeOf(file + CREATED_SUFFIX)).toBe(0o600);
  });

  it('keeps every existing byte (comments, quoting, order): the table is appended', async () => {
    await writeExisting();
    const preview = await integration.preview(home.context, { target: target() });
    const changed = preview.diff.split('\n').filter((line) => /^[-+](?![-+]{2} )/.test(line));
    expect(changed.every((line) => line.startsWith('+'))).toBe(true);
    const result = await integration.apply(home.context, { target: target() });
    const after = await readFile(file, 'utf8');
    expect(after.startsWith(`${EXISTING}\n[model_providers.switchboard]\n`)).toBe(true);
    expect(result.backupPath).toBe(file + BACKUP_SUFFIX);
    const value = parse(after) as any;
    expect(value.model).toBe('gpt-5-codex');
    expect(value.profiles.fast.model).toBe('o4-mini');
  });

  it('sets model_provider and model at the top level only when asked, keeping the rest', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    expect((parse(await readFile(file, 'utf8')) as any).model).toBe('gpt-5-codex');
    await integration.apply(home.context, { target: target(), setDefault: true });
    const after = await readFile(file, 'utf8');
    expect(after.startsWith('# Codex settings\nmodel = "auto-fastest" # my usual\napproval_policy = "on-request"\nmodel_provider = "switchboard"\n\n# Local Ollama\n')).toBe(true);
    const value = parse(after) as any;
    expect(value.profiles.fast.model).toBe('o4-mini');
    const detection = await integration.detect(home.context, target());
    expect(detection).toMatchObject({ state: 'configured', defaultModel: 'switchboard/auto-fastest', usesRelayByDefault: true, port: 4747 });
  });

  it('puts new top-level keys before the first table (and its comments) in a file without any', async () => {
    await writeExisting('# header comment\n\n# about the table\n[tui]\nnotifications = true\n');
    await integration.apply(home.context, { target: target(), setDefault: true });
    expect(await readFile(file, 'utf8')).toBe(
      '# header comment\nmodel_provider = "switchboard"\nmodel = "auto-fastest"\n\n# about the table\n[tui]\nnotifications = true\n\n[model_providers.switchboard]\nname = "Switchboard"\nbase_url = "http://127.0.0.1:4747/v1"\nenv_key = "SWITCHBOARD_API_KEY"\nenv_key_instructions = "Set SWITCHBOARD_API_KEY to the Switchboard relay token (any value when none is set), or start Codex with `switchboard run codex`."\nwire_api = "responses"\n',
    );
  });

  it('is idempotent: a second apply changes nothing, byte for byte', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target(), setDefault: true });
    const first = await readFile(file);
    const again = await integration.apply(home.context, { target: target(), setDefault: true });
    expect(again.changed).toBe(false);
    expect((await readFile(file)).equals(first)).toBe(true);
  });

  it('repairs only our keys inside our table, keeping the user additions and comments there', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    const edited = (await readFile(file, 'utf8')).replace('base_url = "http://127.0.0.1:4747/v1"', 'base_url = "http://127.0.0.1:9999/v1" # moved\nrequest_max_retries = 2');
    await writeFile(file, edited);
    const drifted = await integration.detect(home.context, target());
    expect(drifted.state).toBe('drift');
    expect(drifted.drift).toEqual(['its base_url is "http://127.0.0.1:9999/v1", not "http://127.0.0.1:4747/v1"']);
    await integration.apply(home.context, { target: target() });
    const repaired = await readFile(file, 'utf8');
    expect(repaired).toBe(edited.replace('9999', '4747'));
    expect((await integration.detect(home.context, target())).state).toBe('configured');
  });

  it('undo restores the original byte for byte (CRLF, BOM, no final newline), and removes a file it created', async () => {
    const original = Buffer.from(`\uFEFF${EXISTING.replace(/\n/g, '\r\n').trimEnd()}`);
    await mkdir(join(home.home, '.codex'), { recursive: true });
    await writeFile(file, original);
    await integration.apply(home.context, { target: target() });
    const written = await readFile(file, 'utf8');
    expect(written.startsWith('\uFEFF# Codex settings\r\n')).toBe(true);
    expect(written).toContain('\r\n[model_providers.switchboard]\r\n');
    await integration.apply(home.context, { target: target({ baseUrl: 'http://127.0.0.1:5000/v1' }), setDefault: true });
    expect((await integration.undo(home.context)).outcome).toBe('restored');
    expect((await readFile(file)).equals(original)).toBe(true);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);

    await home.cleanup();
    home = await tempHome();
    file = join(home.home, '.codex', 'config.toml');
    await integration.apply(home.context, { target: target() });
    expect((await integration.undo(home.context)).outcome).toBe('removed');
    expect(await exists(file)).toBe(false);
  });

  it('leaves a file without a final newline alone when nothing changes', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    const trimmed = (await readFile(file, 'utf8')).trimEnd();
    await writeFile(file, trimmed);
    expect((await integration.preview(home.context, { target: target() })).changed).toBe(false);
  });

  it('refuses a symlinked config.toml and leaves its target untouched', async () => {
    const canary = join(home.home, 'dotfiles-config.toml');
    await writeFile(canary, EXISTING);
    await mkdir(join(home.home, '.codex'), { recursive: true });
    await symlink(canary, file);
    await expect(integration.apply(home.context, { target: target() })).rejects.toBeInstanceOf(IntegrationError);
    expect(await readFile(canary, 'utf8')).toBe(EXISTING);
    expect((await integration.detect(home.context, target())).problem).toMatch(/symbolic link/);
  });

  it('writes 0600 over a 0644 original', async () => {
    await writeExisting(EXISTING, 0o644);
    await integration.apply(home.context, { target: target() });
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(file + BACKUP_SUFFIX)).toBe(0o600);
  });

  it('reports invalid TOML and an inline provider definition it does not edit', async () => {
    await writeExisting('model = \n');
    expect((await integration.detect(home.context, target())).state).toBe('invalid');
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/not valid TOML/);
    await writeExisting('model_providers = { switchboard = { name = "x" } }\n');
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/does not edit/);
  });

  it('follows CODEX_HOME', async () => {
    const dir = join(home.home, 'codex-home');
    const context = { ...home.context, env: { ...home.context.env, CODEX_HOME: dir } };
    expect((await integration.apply(context, { target: target() })).configPath).toBe(join(dir, 'config.toml'));
  });

  it('run: -c overrides before the user arguments and the token in SWITCHBOARD_API_KEY; no file written', async () => {
    const plan = await integration.runPlan(home.context, target());
    expect(plan.env).toEqual({ SWITCHBOARD_API_KEY: TOKEN });
    const args = plan.args ?? [];
    expect(args.filter((_, index) => index % 2 === 0).every((flag) => flag === '-c')).toBe(true);
    const values = args.filter((_, index) => index % 2 === 1);
    expect(values).toContain('model_providers.switchboard.base_url="http://127.0.0.1:4747/v1"');
    expect(values).toContain('model_providers.switchboard.wire_api="responses"');
    expect(values).toContain('model_provider="switchboard"');
    expect(values).toContain('model="auto-fastest"');
    // Each override is valid TOML, as Codex parses it.
    for (const value of values) expect(() => parse(value.replace(/^[^=]+=/, 'x = '))).not.toThrow();
    expect(await exists(file)).toBe(false);
  });
});
