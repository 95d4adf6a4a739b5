import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { continueDev } from '../../../relay/integrations/continue.js';
import { BACKUP_SUFFIX, createIntegration, CREATED_SUFFIX, IntegrationError } from '../../../relay/integrations/integration.js';
import { exists, modeOf, target, tempHome, TOKEN, type TempHome, writeClientFile } from './temp-home.js';

const integration = createIntegration(continueDev);

const EXISTING = `# My Continue config
name: Local Assistant
version: 1.0.0
schema: v1
models:
  # the local one
  - name: Qwen local
    provider: ollama
    model: qwen3-coder # fast enough
    roles:
      - chat
      - edit
context:
  - provider: code
`;


describe('Continue integration', () => {
  let home: TempHome;
  let file: string;
  beforeEach(async () => {
    home = await tempHome();
    file = join(home.home, '.continue', 'config.yaml');
  });
  afterEach(async () => {
    await home.cleanup();
  });

  async function writeExisting(text = EXISTING, mode = 0o644): Promise<void> {
    await writeClientFile(file, text, mode);
  }

  it('creates config.yaml with the required header and our model entry, mode 0600', async () => {
    const result = await integration.apply(home.context, { target: target() });
    expect(result.configPath).toBe(file);
    const text = await readFile(file, 'utf8');
    expect(parse(text)).toEqual({
      name: 'Local config',
      version: '1.0.0',
      schema: 'v1',
      models: [
        { name: 'Switchboard', provider: 'openai', model: 'auto-fastest', apiBase: 'http://127.0.0.1:4747/v1', apiKey: TOKEN, roles: ['chat', 'edit', 'apply'], defaultCompletionOptions: { contextLength: 131_072 } },
      ],
    });
    expect(text).toContain('roles: [ chat, edit, apply ]');
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(join(home.home, '.continue'))).toBe(0o700);
    expect(await modeOf(file + CREATED_SUFFIX)).toBe(0o600);
  });

  it('keeps comments and the other models, adding ours last (the user default stays first)', async () => {
    await writeExisting();
    const result = await integration.apply(home.context, { target: target() });
    const after = await readFile(file, 'utf8');
    expect(after.startsWith(EXISTING.slice(0, EXISTING.indexOf('context:')))).toBe(true);
    expect(after).toContain('# the local one');
    expect(after).toContain('model: qwen3-coder # fast enough');
    const value = parse(after);
    expect(value.models.map((model: { name: string }) => model.name)).toEqual(['Qwen local', 'Switchboard']);
    expect(value.context).toEqual([{ provider: 'code' }]);
    expect(result.backupPath).toBe(file + BACKUP_SUFFIX);
    expect(await readFile(file + BACKUP_SUFFIX, 'utf8')).toBe(EXISTING);
    const detection = await integration.detect(home.context, target());
    expect(detection).toMatchObject({ state: 'configured', defaultModel: 'ollama/qwen3-coder', usesRelayByDefault: false, models: ['auto-fastest'] });
  });

  it('puts our entry first only when asked to set the default', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target(), setDefault: true });
    const value = parse(await readFile(file, 'utf8'));
    expect(value.models.map((model: { name: string }) => model.name)).toEqual(['Switchboard', 'Qwen local']);
    const detection = await integration.detect(home.context, target());
    expect(detection).toMatchObject({ defaultModel: 'switchboard/auto-fastest', usesRelayByDefault: true });
  });

  it('keeps an unindented list style', async () => {
    await writeExisting('name: x\nversion: 1.0.0\nschema: v1\nmodels:\n- name: a\n  provider: ollama\n  model: m\n');
    await integration.apply(home.context, { target: target() });
    expect(await readFile(file, 'utf8')).toMatch(/^name: x\nversion: 1.0.0\nschema: v1\nmodels:\n- name: a\n {2}provider: ollama\n {2}model: m\n- name: Switchboard\n/);
  });

  it('is idempotent: a second apply changes nothing, byte for byte', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target(), setDefault: true });
    const first = await readFile(file);
    const again = await integration.apply(home.context, { target: target(), setDefault: true });
    expect(again.changed).toBe(false);
    expect((await readFile(file)).equals(first)).toBe(true);
    expect((await integration.apply(home.context, { target: target() })).changed).toBe(false);
  });

  it('undo restores the original byte for byte (CRLF, BOM), and removes a file it created', async () => {
    const original = Buffer.from(`\uFEFF${EXISTING.replace(/\n/g, '\r\n')}`);
    await mkdir(join(home.home, '.continue'), { recursive: true });
    await writeFile(file, original);
    await integration.apply(home.context, { target: target() });
    const written = await readFile(file, 'utf8');
    expect(written.startsWith('\uFEFF# My Continue config\r\n')).toBe(true);
    expect(written).not.toMatch(/[^\r]\n/);
    await integration.apply(home.context, { target: target({ baseUrl: 'http://127.0.0.1:5000/v1' }), setDefault: true });
    expect((await integration.undo(home.context)).outcome).toBe('restored');
    expect((await readFile(file)).equals(original)).toBe(true);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);

    await home.cleanup();
    home = await tempHome();
    file = join(home.home, '.continue', 'config.yaml');
    await integration.apply(home.context, { target: target() });
    expect((await integration.undo(home.context)).outcome).toBe('removed');
    expect(await exists(file)).toBe(false);
  });

  it('refuses a symlinked config.yaml and leaves its target untouched', async () => {
    const canary = join(home.home, 'dotfiles-config.yaml');
    await writeFile(canary, EXISTING);
    await mkdir(join(home.home, '.continue'), { recursive: true });
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

  it('detects drift and repairs our fields, keeping what the user added to our entry', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    const edited = (await readFile(file, 'utf8')).replace('http://127.0.0.1:4747/v1', 'http://127.0.0.1:9999/v1').replace(TOKEN, 'other-token').replace('  - name: Switchboard\n', '  - name: Switchboard\n    capabilities: [tool_use]\n');
    await writeFile(file, edited);
    const drifted = await integration.detect(home.context, target());
    expect(drifted.state).toBe('drift');
    expect(drifted.port).toBe(9999);
    expect(drifted.drift.join('\n')).toMatch(/apiBase is "http:\/\/127\.0\.0\.1:9999\/v1"/);
    expect(drifted.drift.join('\n')).toMatch(/apiKey is not the relay's current token/);
    expect(drifted.drift.join('\n')).not.toContain('other-token');
    await integration.apply(home.context, { target: target() });
    const value = parse(await readFile(file, 'utf8'));
    expect(value.models[1]).toMatchObject({ capabilities: ['tool_use'], apiBase: 'http://127.0.0.1:4747/v1', apiKey: TOKEN });
    expect((await integration.detect(home.context, target())).state).toBe('configured');
  });

  it('will not create config.yaml over a legacy config.json, and reports invalid YAML', async () => {
    await mkdir(join(home.home, '.continue'), { recursive: true });
    await writeFile(join(home.home, '.continue', 'config.json'), '{"models":[]}');
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/legacy/);
    expect((await integration.detect(home.context, target())).state).toBe('invalid');
    expect(await exists(file)).toBe(false);
    await writeExisting('models: [\n');
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/not valid YAML/);
  });

  it('follows CONTINUE_GLOBAL_DIR', async () => {
    const dir = join(home.home, 'continue-elsewhere');
    const context = { ...home.context, env: { ...home.context.env, CONTINUE_GLOBAL_DIR: dir } };
    expect((await integration.apply(context, { target: target() })).configPath).toBe(join(dir, 'config.yaml'));
  });

  it('run: cn gets --config with a private copy (ours first), removed afterwards; the real file is unchanged', async () => {
    await writeExisting();
    const plan = await integration.runPlan(home.context, target());
    expect(plan.args?.[0]).toBe('--config');
    const copy = plan.args?.[1] ?? '';
    expect(parse(await readFile(copy, 'utf8')).models[0].apiKey).toBe(TOKEN);
    expect(await modeOf(copy)).toBe(0o600);
    await plan.cleanup?.();
    expect(await exists(copy)).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
  });
});
