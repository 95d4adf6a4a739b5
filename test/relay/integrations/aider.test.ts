import { readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aider } from '../../../relay/integrations/aider.js';
import { BACKUP_SUFFIX, createIntegration, CREATED_SUFFIX, IntegrationError } from '../../../relay/integrations/integration.js';
import { exists, modeOf, target, tempHome, TOKEN, type TempHome, writeClientFile } from './temp-home.js';

const integration = createIntegration(aider);

const EXISTING = `# Aider settings
dark-mode: true   # easier on the eyes
auto-commits: false
model: sonnet
read:
  - CONVENTIONS.md
`;


describe('Aider integration', () => {
  let home: TempHome;
  let file: string;
  beforeEach(async () => {
    home = await tempHome();
    file = join(home.home, '.aider.conf.yml');
  });
  afterEach(async () => {
    await home.cleanup();
  });

  async function writeExisting(text = EXISTING, mode = 0o644): Promise<void> {
    await writeClientFile(file, text, mode);
  }

  it('creates ~/.aider.conf.yml with the base URL and the relay token only, mode 0600', async () => {
    const result = await integration.apply(home.context, { target: target() });
    expect(result.configPath).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(`openai-api-base: http://127.0.0.1:4747/v1\nopenai-api-key: ${TOKEN}\n`);
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(file + CREATED_SUFFIX)).toBe(0o600);
  });

  it('keeps comments and other options; the model only when asked', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    const after = await readFile(file, 'utf8');
    expect(after).toBe(`${EXISTING.replace('true   #', 'true #')}openai-api-base: http://127.0.0.1:4747/v1\nopenai-api-key: ${TOKEN}\n`);
    expect(await readFile(file + BACKUP_SUFFIX, 'utf8')).toBe(EXISTING);
    expect((await integration.detect(home.context, target())).usesRelayByDefault).toBe(false);
    await integration.apply(home.context, { target: target(), setDefault: true });
    const value = parse(await readFile(file, 'utf8'));
    expect(value.model).toBe('openai/auto-fastest');
    expect(value['dark-mode']).toBe(true);
    const detection = await integration.detect(home.context, target());
    expect(detection).toMatchObject({ state: 'configured', defaultModel: 'openai/auto-fastest', usesRelayByDefault: true, port: 4747, models: ['auto-fastest'] });
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
    await writeFile(file, original);
    await integration.apply(home.context, { target: target() });
    expect(await readFile(file, 'utf8')).not.toMatch(/[^\r]\n/);
    await integration.apply(home.context, { target: target({ baseUrl: 'http://127.0.0.1:5000/v1' }), setDefault: true });
    expect((await integration.undo(home.context)).outcome).toBe('restored');
    expect((await readFile(file)).equals(original)).toBe(true);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);
    await unlink(file);
    await integration.apply(home.context, { target: target() });
    expect((await integration.undo(home.context)).outcome).toBe('removed');
    expect(await exists(file)).toBe(false);
  });

  it('refuses a symlinked config and leaves its target untouched', async () => {
    const canary = join(home.home, 'dotfiles-aider.yml');
    await writeFile(canary, EXISTING);
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

  it('detects drift without showing the key, and repairs it', async () => {
    await writeExisting();
    expect((await integration.detect(home.context, target())).state).toBe('not-configured');
    await integration.apply(home.context, { target: target() });
    await writeFile(file, (await readFile(file, 'utf8')).replace('4747', '9999').replace(TOKEN, 'sk-real-openai'));
    const drifted = await integration.detect(home.context, target());
    expect(drifted.state).toBe('drift');
    expect(drifted.drift.join('\n')).toMatch(/openai-api-base is "http:\/\/127\.0\.0\.1:9999\/v1"/);
    expect(drifted.drift.join('\n')).toMatch(/openai-api-key is not the relay's current token/);
    expect(drifted.drift.join('\n')).not.toContain('sk-real-openai');
    await integration.apply(home.context, { target: target() });
    expect(await readFile(file, 'utf8')).not.toContain('sk-real-openai');
    expect((await integration.detect(home.context, target())).state).toBe('configured');
  });

  it('reports invalid YAML and refuses to write over it', async () => {
    await writeExisting('model: [\n');
    expect((await integration.detect(home.context, target())).state).toBe('invalid');
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/not valid YAML/);
  });

  it('run: AIDER_* variables (which beat every .aider.conf.yml) and OPENAI_*; no file written', async () => {
    const plan = await integration.runPlan(home.context, target());
    expect(plan.env).toEqual({
      AIDER_OPENAI_API_BASE: 'http://127.0.0.1:4747/v1',
      AIDER_OPENAI_API_KEY: TOKEN,
      AIDER_MODEL: 'openai/auto-fastest',
      AIDER_SHOW_MODEL_WARNINGS: 'false',
      OPENAI_API_BASE: 'http://127.0.0.1:4747/v1',
      OPENAI_API_KEY: TOKEN,
    });
    expect(await exists(file)).toBe(false);
  });
});
