import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_SUFFIX, createIntegration, CREATED_SUFFIX, IntegrationError } from '../../../relay/integrations/integration.js';
import { openCode } from '../../../relay/integrations/opencode.js';
import { exists, modeOf, target, tempHome, TOKEN, type TempHome, writeClientFile } from './temp-home.js';

const integration = createIntegration(openCode);

const EXISTING = `// My OpenCode settings
{
  "$schema": "https://opencode.ai/config.json",
  "theme": "tokyonight", // the dark one
  /* providers I use */
  "provider": {
    "ollama": {
      "npm": "@ai-sdk/openai-compatible",
      "options": { "baseURL": "http://127.0.0.1:11434/v1" },
      "models": { "qwen3": {}, },
    },
  },
  "model": "ollama/qwen3",
}
`;


describe('OpenCode integration', () => {
  let home: TempHome;
  let file: string;
  beforeEach(async () => {
    home = await tempHome();
    file = join(home.home, '.config', 'opencode', 'opencode.json');
  });
  afterEach(async () => {
    await home.cleanup();
  });

  async function writeExisting(text = EXISTING, mode = 0o644): Promise<void> {
    await writeClientFile(file, text, mode);
  }

  it('creates the file (and its directories) with our provider, mode 0600, and no default model', async () => {
    const result = await integration.apply(home.context, { target: target() });
    expect(result.changed).toBe(true);
    expect(result.configPath).toBe(file);
    expect(result.backupPath).toBeNull();
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual({
      $schema: 'https://opencode.ai/config.json',
      provider: {
        switchboard: {
          npm: '@ai-sdk/openai-compatible',
          name: 'Switchboard',
          options: { baseURL: 'http://127.0.0.1:4747/v1', apiKey: TOKEN },
          models: {
            'auto-fastest': { name: 'Auto (fastest healthy model)', limit: { context: 131_072, output: 8_192 } },
            coding: { name: 'Coding (tools, 32k+ context)' },
            vision: { name: 'Vision (takes images)', limit: { context: 128_000, output: 8_192 }, modalities: { input: ['text', 'image'], output: ['text'] } },
            'llama-3.3-70b': { name: 'llama-3.3-70b', limit: { context: 131_072, output: 32_768 } },
          },
        },
      },
    });
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(join(home.home, '.config', 'opencode'))).toBe(0o700);
    expect(await modeOf(file + CREATED_SUFFIX)).toBe(0o600);
  });

  it('keeps comments, trailing commas, other providers and the user default; adds only our entry', async () => {
    await writeExisting();
    const preview = await integration.preview(home.context, { target: target() });
    expect(preview.changed).toBe(true);
    // Only additions: not one existing line is touched.
    const changedLines = preview.diff.split('\n').filter((line) => /^[-+](?![-+]{2} )/.test(line));
    expect(changedLines.every((line) => line.startsWith('+'))).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(EXISTING); // a preview writes nothing

    const result = await integration.apply(home.context, { target: target() });
    const after = await readFile(file, 'utf8');
    expect(result.after).toBe(after);
    for (const line of EXISTING.split('\n')) expect(after).toContain(line);
    const value = parse(after);
    expect(value.provider.ollama).toEqual({ npm: '@ai-sdk/openai-compatible', options: { baseURL: 'http://127.0.0.1:11434/v1' }, models: { qwen3: {} } });
    expect(value.provider.switchboard.options).toEqual({ baseURL: 'http://127.0.0.1:4747/v1', apiKey: TOKEN });
    expect(value.model).toBe('ollama/qwen3');
    expect(value.theme).toBe('tokyonight');
    // The new entry sits where a person would put it: last in "provider", indented like its siblings.
    expect(after).toContain('    },\n    "switchboard": {\n      "npm": "@ai-sdk/openai-compatible",\n');
    expect(await readFile(file + BACKUP_SUFFIX, 'utf8')).toBe(EXISTING);
    expect(result.backupPath).toBe(file + BACKUP_SUFFIX);
  });

  it('is idempotent: a second apply with the same inputs changes nothing, byte for byte', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target(), setDefault: true });
    const first = await readFile(file);
    const backup = await readFile(file + BACKUP_SUFFIX);
    const again = await integration.apply(home.context, { target: target(), setDefault: true });
    expect(again.changed).toBe(false);
    expect(again.diff).toBe('');
    expect((await readFile(file)).equals(first)).toBe(true);
    expect((await readFile(file + BACKUP_SUFFIX)).equals(backup)).toBe(true);
  });

  it('undo restores the original byte for byte (and its backup goes), even after several applies', async () => {
    const original = Buffer.from(`\uFEFF${EXISTING.replace(/\n/g, '\r\n')}`);
    await mkdir(join(home.home, '.config', 'opencode'), { recursive: true });
    await writeFile(file, original);
    await integration.apply(home.context, { target: target() });
    await integration.apply(home.context, { target: target({ baseUrl: 'http://127.0.0.1:5000/v1' }), setDefault: true });
    const written = await readFile(file, 'utf8');
    expect(written.startsWith('\uFEFF')).toBe(true);
    expect(written).toContain('"switchboard": {\r\n'); // CRLF kept for the new lines too
    expect((await readFile(file + BACKUP_SUFFIX)).equals(original)).toBe(true);

    const planned = await integration.previewUndo(home.context);
    expect(planned.outcome).toBe('restored');
    expect(planned.diff).toContain('-    "switchboard": {');
    const undone = await integration.undo(home.context);
    expect(undone.outcome).toBe('restored');
    expect((await readFile(file)).equals(original)).toBe(true);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);
    expect((await integration.undo(home.context)).outcome).toBe('nothing');
  });

  it('undo deletes a file Switchboard created', async () => {
    await integration.apply(home.context, { target: target() });
    expect((await integration.undo(home.context)).outcome).toBe('removed');
    expect(await exists(file)).toBe(false);
    expect(await exists(file + CREATED_SUFFIX)).toBe(false);
  });

  it('refuses a symlinked config and leaves its target untouched', async () => {
    const canary = join(home.home, 'dotfiles-opencode.json');
    await writeFile(canary, EXISTING);
    await mkdir(join(home.home, '.config', 'opencode'), { recursive: true });
    await symlink(canary, file);
    const attempt = integration.apply(home.context, { target: target() });
    await expect(attempt).rejects.toBeInstanceOf(IntegrationError);
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/symbolic link/);
    expect(await readFile(canary, 'utf8')).toBe(EXISTING);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);
    const detection = await integration.detect(home.context, target());
    expect(detection.state).toBe('invalid');
    expect(detection.problem).toMatch(/symbolic link/);
  });

  it('refuses a symlink planted where the backup goes', async () => {
    await writeExisting();
    const canary = join(home.home, 'canary');
    await writeFile(canary, 'canary');
    await symlink(canary, file + BACKUP_SUFFIX);
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/not a regular file/);
    expect(await readFile(canary, 'utf8')).toBe('canary');
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
  });

  it('writes the file and the backup with mode 0600 even when the original was 0644', async () => {
    await writeExisting(EXISTING, 0o644);
    await integration.apply(home.context, { target: target() });
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(file + BACKUP_SUFFIX)).toBe(0o600);
  });

  it('sets the default model only when asked, and never touches it otherwise', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    expect(parse(await readFile(file, 'utf8')).model).toBe('ollama/qwen3');
    await integration.apply(home.context, { target: target(), setDefault: true });
    expect(parse(await readFile(file, 'utf8')).model).toBe('switchboard/auto-fastest');
    const detection = await integration.detect(home.context, target());
    expect(detection.defaultModel).toBe('switchboard/auto-fastest');
    expect(detection.usesRelayByDefault).toBe(true);
  });

  it('detects configured, drift (another base URL, missing models, another key) and repairs it', async () => {
    await writeExisting();
    expect((await integration.detect(home.context, target())).state).toBe('not-configured');
    await integration.apply(home.context, { target: target() });
    const configured = await integration.detect(home.context, target());
    expect(configured).toMatchObject({ state: 'configured', baseUrl: 'http://127.0.0.1:4747/v1', port: 4747, drift: [], configExists: true, undoAvailable: true });
    expect(configured.models).toEqual(['auto-fastest', 'coding', 'vision', 'llama-3.3-70b']);

    // Someone else edits our entry: another port, a model removed, another key.
    const edited = (await readFile(file, 'utf8'))
      .replace('http://127.0.0.1:4747/v1', 'http://127.0.0.1:9999/v1')
      .replace(TOKEN, 'something-else-entirely')
      .replace(/\n\s*"coding": \{\n\s*"name": "Coding \(tools, 32k\+ context\)"\n\s*\},/, '');
    await writeFile(file, edited);
    const drifted = await integration.detect(home.context, target());
    expect(drifted.state).toBe('drift');
    expect(drifted.port).toBe(9999);
    expect(drifted.drift.join('\n')).toMatch(/baseURL is "http:\/\/127\.0\.0\.1:9999\/v1", not "http:\/\/127\.0\.0\.1:4747\/v1"/);
    expect(drifted.drift.join('\n')).toMatch(/lacks models the relay serves: coding/);
    expect(drifted.drift.join('\n')).toMatch(/apiKey is not the relay's current token/);
    expect(drifted.drift.join('\n')).not.toContain('something-else-entirely');

    // The relay now serves one more model: also drift.
    const more = target({ models: [...target().models, { id: 'qwen-3-32b', name: 'qwen-3-32b' }] });
    await integration.apply(home.context, { target: target() });
    expect((await integration.detect(home.context, more)).drift).toEqual(['it lacks models the relay serves: qwen-3-32b']);
    expect((await integration.detect(home.context, target())).state).toBe('configured');
  });

  it('keeps what the user added inside our entry when repairing it', async () => {
    await integration.apply(home.context, { target: target() });
    const text = (await readFile(file, 'utf8')).replace('"apiKey": ', '"timeout": 600000,\n        "apiKey": ');
    await writeFile(file, text);
    await integration.apply(home.context, { target: target({ baseUrl: 'http://127.0.0.1:5000/v1' }) });
    const value = parse(await readFile(file, 'utf8'));
    expect(value.provider.switchboard.options).toEqual({ baseURL: 'http://127.0.0.1:5000/v1', timeout: 600000, apiKey: TOKEN });
  });

  it('follows OPENCODE_CONFIG, XDG_CONFIG_HOME and an existing opencode.jsonc', async () => {
    const custom = join(home.home, 'custom', 'oc.json');
    const withOverride = { ...home.context, env: { ...home.context.env, OPENCODE_CONFIG: custom } };
    expect((await integration.apply(withOverride, { target: target() })).configPath).toBe(custom);

    const xdg = join(home.home, 'xdg');
    const withXdg = { ...home.context, env: { ...home.context.env, XDG_CONFIG_HOME: xdg } };
    expect((await integration.detect(withXdg)).configPath).toBe(join(xdg, 'opencode', 'opencode.json'));

    await mkdir(join(home.home, '.config', 'opencode'), { recursive: true });
    await writeFile(join(home.home, '.config', 'opencode', 'opencode.jsonc'), '{\n  // jsonc\n}\n');
    const result = await integration.apply(home.context, { target: target() });
    expect(result.configPath).toBe(join(home.home, '.config', 'opencode', 'opencode.jsonc'));
    expect(await readFile(result.configPath, 'utf8')).toMatch(/^\{\n {2}\/\/ jsonc\n {2}"provider": \{/);
  });

  it('says whether OpenCode seems installed, by its config directory or its executable on PATH', async () => {
    const nothing = await integration.detect(home.context, target());
    expect(nothing).toMatchObject({ installed: false, binary: null, configExists: false, state: 'not-configured' });
    const binary = await home.addBinary('opencode');
    expect(await integration.detect(home.context, target())).toMatchObject({ installed: true, binary });
    await home.cleanup();
    home = await tempHome();
    await mkdir(join(home.home, '.config', 'opencode'), { recursive: true });
    expect((await integration.detect(home.context, target())).installed).toBe(true);
  });

  it('reports a file it cannot read, and refuses to write over it', async () => {
    await writeExisting('{\n  "provider": {\n    "a": 1 2\n  }\n}\n');
    const detection = await integration.detect(home.context, target());
    expect(detection.state).toBe('invalid');
    expect(detection.problem).toMatch(/not valid JSON with comments \(CommaExpected at line 3, column 12\)/);
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/Cannot update OpenCode's config/);
    await writeExisting('[1, 2]\n');
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/top level is not an object/);
  });

  it('run: passes our provider and model in OPENCODE_CONFIG_CONTENT, merged over an existing one', async () => {
    const plain = await integration.runPlan(home.context, target());
    const content = JSON.parse(plain.env.OPENCODE_CONFIG_CONTENT ?? '');
    expect(content.model).toBe('switchboard/auto-fastest');
    expect(content.provider.switchboard.options).toEqual({ baseURL: 'http://127.0.0.1:4747/v1', apiKey: TOKEN });
    const merged = await integration.runPlan({ ...home.context, env: { ...home.context.env, OPENCODE_CONFIG_CONTENT: '{"theme":"x","provider":{"other":{}}}' } }, target());
    const both = JSON.parse(merged.env.OPENCODE_CONFIG_CONTENT ?? '');
    expect(both.theme).toBe('x');
    expect(Object.keys(both.provider)).toEqual(['other', 'switchboard']);
    expect(await exists(file)).toBe(false);
  });
});
