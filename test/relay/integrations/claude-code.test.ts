import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeCode } from '../../../relay/integrations/claude-code.js';
import { BACKUP_SUFFIX, createIntegration, CREATED_SUFFIX, IntegrationError } from '../../../relay/integrations/integration.js';
import { exists, modeOf, target, tempHome, TOKEN, type TempHome, writeClientFile } from './temp-home.js';

const integration = createIntegration(claudeCode);
const UPSTREAM_KEY = 'sk-ant-upstream-canary-0123456789';

const EXISTING = `{
  "permissions": {
    "allow": ["Bash(npm test)"]
  },
  "env": {
    "DISABLE_TELEMETRY": "1",
    "ANTHROPIC_API_KEY": "${UPSTREAM_KEY}"
  },
  "model": "opus"
}
`;


describe('Claude Code integration', () => {
  let home: TempHome;
  let file: string;
  beforeEach(async () => {
    home = await tempHome();
    file = join(home.home, '.claude', 'settings.json');
  });
  afterEach(async () => {
    await home.cleanup();
  });

  async function writeExisting(text = EXISTING, mode = 0o644): Promise<void> {
    await writeClientFile(file, text, mode);
  }

  it('creates settings.json with the env block (origin without /v1, the relay token), mode 0600, no model', async () => {
    const result = await integration.apply(home.context, { target: target() });
    expect(result.changed).toBe(true);
    expect(result.configPath).toBe(file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:4747', ANTHROPIC_AUTH_TOKEN: TOKEN, ANTHROPIC_API_KEY: '' },
    });
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(join(home.home, '.claude'))).toBe(0o700);
    expect(await modeOf(file + CREATED_SUFFIX)).toBe(0o600);
  });

  it('keeps other settings and variables, blanks an upstream Anthropic key, and backs up the original', async () => {
    await writeExisting();
    const result = await integration.apply(home.context, { target: target() });
    const after = await readFile(file, 'utf8');
    expect(after).not.toContain(UPSTREAM_KEY);
    expect(after).toContain('"allow": ["Bash(npm test)"]');
    const value = parse(after);
    expect(value.env).toEqual({ DISABLE_TELEMETRY: '1', ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: 'http://127.0.0.1:4747', ANTHROPIC_AUTH_TOKEN: TOKEN });
    expect(value.model).toBe('opus');
    expect(result.backupPath).toBe(file + BACKUP_SUFFIX);
    expect(await readFile(file + BACKUP_SUFFIX, 'utf8')).toBe(EXISTING);
  });

  it('is idempotent: a second apply changes nothing, byte for byte', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target(), setDefault: true });
    const first = await readFile(file);
    const again = await integration.apply(home.context, { target: target(), setDefault: true });
    expect(again.changed).toBe(false);
    expect(again.diff).toBe('');
    expect((await readFile(file)).equals(first)).toBe(true);
  });

  it('undo restores the original byte for byte, and deletes a file it created', async () => {
    const original = Buffer.from(`\uFEFF${EXISTING.replace(/\n/g, '\r\n')}`);
    await mkdir(join(home.home, '.claude'), { recursive: true });
    await writeFile(file, original);
    await integration.apply(home.context, { target: target() });
    await integration.apply(home.context, { target: target({ baseUrl: 'http://127.0.0.1:5000/v1' }), setDefault: true });
    expect((await integration.undo(home.context)).outcome).toBe('restored');
    expect((await readFile(file)).equals(original)).toBe(true);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);

    await home.cleanup();
    home = await tempHome();
    file = join(home.home, '.claude', 'settings.json');
    await integration.apply(home.context, { target: target() });
    expect((await integration.undo(home.context)).outcome).toBe('removed');
    expect(await exists(file)).toBe(false);
  });

  it('refuses a symlinked settings.json and leaves its target untouched', async () => {
    const canary = join(home.home, 'dotfiles-settings.json');
    await writeFile(canary, EXISTING);
    await mkdir(join(home.home, '.claude'), { recursive: true });
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

  it('sets the model variables only when asked (fast for the small model when served)', async () => {
    await writeExisting();
    await integration.apply(home.context, { target: target() });
    expect(parse(await readFile(file, 'utf8')).env.ANTHROPIC_MODEL).toBeUndefined();
    const withFast = target({ models: [...target().models, { id: 'fast', name: 'Fast' }] });
    await integration.apply(home.context, { target: withFast, setDefault: true });
    expect(parse(await readFile(file, 'utf8')).env).toMatchObject({
      ANTHROPIC_MODEL: 'auto-fastest',
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'auto-fastest',
      ANTHROPIC_DEFAULT_SONNET_MODEL: 'auto-fastest',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'fast',
      ANTHROPIC_SMALL_FAST_MODEL: 'fast',
    });
    const detection = await integration.detect(home.context, withFast);
    expect(detection).toMatchObject({ state: 'configured', defaultModel: 'auto-fastest', usesRelayByDefault: true, port: 4747 });
    expect(detection.models).toEqual(['auto-fastest', 'fast']);
  });

  it('detects drift (another URL, another token, an API key set) without showing the token', async () => {
    expect((await integration.detect(home.context, target())).state).toBe('not-configured');
    await integration.apply(home.context, { target: target() });
    expect((await integration.detect(home.context, target())).state).toBe('configured');
    const edited = (await readFile(file, 'utf8')).replace('http://127.0.0.1:4747', 'http://127.0.0.1:9999').replace(TOKEN, 'other-token-xyz').replace('"ANTHROPIC_API_KEY": ""', '"ANTHROPIC_API_KEY": "sk-x"');
    await writeFile(file, edited);
    const drifted = await integration.detect(home.context, target());
    expect(drifted.state).toBe('drift');
    expect(drifted.port).toBe(9999);
    const reasons = drifted.drift.join('\n');
    expect(reasons).toMatch(/ANTHROPIC_BASE_URL is "http:\/\/127\.0\.0\.1:9999", not "http:\/\/127\.0\.0\.1:4747"/);
    expect(reasons).toMatch(/ANTHROPIC_AUTH_TOKEN is not the relay's current token/);
    expect(reasons).toMatch(/ANTHROPIC_API_KEY is set/);
    expect(reasons).not.toContain('other-token-xyz');
    await integration.apply(home.context, { target: target() });
    expect((await integration.detect(home.context, target())).state).toBe('configured');
  });

  it('follows CLAUDE_CONFIG_DIR', async () => {
    const dir = join(home.home, 'claude-elsewhere');
    const context = { ...home.context, env: { ...home.context.env, CLAUDE_CONFIG_DIR: dir } };
    expect((await integration.apply(context, { target: target() })).configPath).toBe(join(dir, 'settings.json'));
  });

  it('run: sets the variables (token, never an upstream key) and changes no file', async () => {
    await writeExisting();
    const plan = await integration.runPlan(home.context, target());
    expect(plan.env).toMatchObject({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:4747', ANTHROPIC_AUTH_TOKEN: TOKEN, ANTHROPIC_API_KEY: '', ANTHROPIC_MODEL: 'auto-fastest' });
    expect(plan.args).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
  });
});
