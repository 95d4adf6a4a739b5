import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonObjectNode, JsonParser } from '@croct/json5-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_SUFFIX, createIntegration } from '../../../relay/integrations/integration.js';
import { openClaw } from '../../../relay/integrations/openclaw.js';
import { exists, modeOf, target, tempHome, TOKEN, type TempHome } from './temp-home.js';

const integration = createIntegration(openClaw);

/** Hand-written JSON5, the way OpenClaw's docs show it: unquoted keys, single quotes, comments. */
const JSON5_CONFIG = `// ~/.openclaw/openclaw.json
{
  gateway: {
    mode: 'local', // or "remote"
    port: 18789,
  },
  /* local models */
  models: {
    providers: {
      ollama: {
        baseUrl: 'http://127.0.0.1:11434',
        api: 'ollama',
        models: [{ id: 'qwen3', name: 'Qwen 3' }],
      },
    },
  },
  agents: {
    defaults: {
      model: { primary: 'ollama/qwen3', fallbacks: [] },
    },
  },
}
`;

/** What OpenClaw itself writes: plain JSON, two spaces. */
const OPENCLAW_WRITTEN = `{
  "meta": {
    "lastTouchedVersion": "2026.9.6"
  },
  "agents": {
    "defaults": {
      "model": "anthropic/claude-sonnet-4-5",
      "models": {
        "anthropic/claude-sonnet-4-5": {
          "alias": "sonnet"
        },
        "switchboard/coding": {
          "alias": "relay-coding"
        }
      }
    }
  }
}
`;

function json5(text: string): any {
  return JsonParser.parse(text, JsonObjectNode).toJSON();
}


describe('OpenClaw integration', () => {
  let home: TempHome;
  let file: string;
  beforeEach(async () => {
    home = await tempHome();
    file = join(home.home, '.openclaw', 'openclaw.json');
  });
  afterEach(async () => {
    await home.cleanup();
  });

  async function writeExisting(text: string): Promise<void> {
    await mkdir(join(home.home, '.openclaw'), { recursive: true });
    await writeFile(file, text);
  }

  it('creates ~/.openclaw/openclaw.json with our provider (0600), and no default model', async () => {
    const result = await integration.apply(home.context, { target: target() });
    expect(result.configPath).toBe(file);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.models.providers.switchboard).toEqual({
      baseUrl: 'http://127.0.0.1:4747/v1',
      apiKey: TOKEN,
      api: 'openai-completions',
      models: [
        { id: 'auto-fastest', name: 'Auto (fastest healthy model)', input: ['text'], reasoning: false, contextWindow: 131_072, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
        { id: 'coding', name: 'Coding (tools, 32k+ context)', input: ['text'], reasoning: false, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
        { id: 'vision', name: 'Vision (takes images)', input: ['text', 'image'], reasoning: false, contextWindow: 128_000, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
        { id: 'llama-3.3-70b', name: 'llama-3.3-70b', input: ['text'], reasoning: false, contextWindow: 131_072, maxTokens: 32_768, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
      ],
    });
    expect(written.agents).toBeUndefined();
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(join(home.home, '.openclaw'))).toBe(0o700);
  });

  it('edits a JSON5 file in place: unquoted keys, single quotes and comments stay; undo restores it byte for byte', async () => {
    await writeExisting(JSON5_CONFIG);
    const result = await integration.apply(home.context, { target: target() });
    const after = await readFile(file, 'utf8');
    for (const line of ["// ~/.openclaw/openclaw.json", "    mode: 'local', // or \"remote\"", '  /* local models */', "        baseUrl: 'http://127.0.0.1:11434',"]) expect(after).toContain(line);
    const value = json5(after);
    expect(value.models.providers.ollama.api).toBe('ollama');
    expect(value.models.providers.switchboard.baseUrl).toBe('http://127.0.0.1:4747/v1');
    expect(value.models.providers.switchboard.models.map((model: { id: string }) => model.id)).toEqual(['auto-fastest', 'coding', 'vision', 'llama-3.3-70b']);
    expect(value.agents.defaults.model.primary).toBe('ollama/qwen3');
    expect(result.backupPath).toBe(file + BACKUP_SUFFIX);

    const again = await integration.apply(home.context, { target: target() });
    expect(again.changed).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(after);
    expect((await integration.detect(home.context, target())).state).toBe('configured');

    await integration.undo(home.context);
    expect(await readFile(file, 'utf8')).toBe(JSON5_CONFIG);
    expect(await exists(file + BACKUP_SUFFIX)).toBe(false);
  });

  it('sets the default model only when asked, keeping its shape (object with primary, or a plain string)', async () => {
    await writeExisting(JSON5_CONFIG);
    await integration.apply(home.context, { target: target() });
    expect(json5(await readFile(file, 'utf8')).agents.defaults.model.primary).toBe('ollama/qwen3');
    await integration.apply(home.context, { target: target(), setDefault: true });
    expect(json5(await readFile(file, 'utf8')).agents.defaults.model).toEqual({ primary: 'switchboard/auto-fastest', fallbacks: [] });

    await writeExisting(OPENCLAW_WRITTEN);
    await integration.apply(home.context, { target: target(), setDefault: true });
    const value = JSON.parse(await readFile(file, 'utf8'));
    expect(value.agents.defaults.model).toBe('switchboard/auto-fastest');
    const detection = await integration.detect(home.context, target());
    expect(detection).toMatchObject({ defaultModel: 'switchboard/auto-fastest', usesRelayByDefault: true });
  });

  it('adds our models to an existing model allowlist, keeping an alias the user gave one', async () => {
    await writeExisting(OPENCLAW_WRITTEN);
    await integration.apply(home.context, { target: target() });
    const value = JSON.parse(await readFile(file, 'utf8'));
    expect(value.agents.defaults.models).toEqual({
      'anthropic/claude-sonnet-4-5': { alias: 'sonnet' },
      'switchboard/coding': { alias: 'relay-coding' },
      'switchboard/auto-fastest': {},
      'switchboard/vision': {},
      'switchboard/llama-3.3-70b': {},
    });
    expect(value.agents.defaults.model).toBe('anthropic/claude-sonnet-4-5');
    expect(value.meta).toEqual({ lastTouchedVersion: '2026.9.6' });
  });

  it('finds the file through OPENCLAW_CONFIG_PATH, OPENCLAW_STATE_DIR and OPENCLAW_HOME', async () => {
    const env = home.context.env;
    expect((await integration.detect({ env: { ...env, OPENCLAW_CONFIG_PATH: '~/elsewhere/oc.json5' } })).configPath).toBe(join(home.home, 'elsewhere', 'oc.json5'));
    expect((await integration.detect({ env: { ...env, OPENCLAW_STATE_DIR: join(home.home, 'state') } })).configPath).toBe(join(home.home, 'state', 'openclaw.json'));
    expect((await integration.detect({ env: { ...env, OPENCLAW_HOME: join(home.home, 'oh') } })).configPath).toBe(join(home.home, 'oh', '.openclaw', 'openclaw.json'));
  });

  it('refuses a symlinked config and leaves its target untouched', async () => {
    const canary = join(home.home, 'canary.json');
    await writeFile(canary, OPENCLAW_WRITTEN);
    await mkdir(join(home.home, '.openclaw'), { recursive: true });
    await symlink(canary, file);
    await expect(integration.apply(home.context, { target: target() })).rejects.toThrow(/symbolic link/);
    await expect(integration.undo(home.context)).rejects.toThrow(/symbolic link/);
    expect(await readFile(canary, 'utf8')).toBe(OPENCLAW_WRITTEN);
  });

  it('reports drift when our entry was changed by someone else', async () => {
    await integration.apply(home.context, { target: target() });
    const edited = (await readFile(file, 'utf8')).replace('"openai-completions"', '"openai-responses"').replace('4747', '4800');
    await writeFile(file, edited);
    const detection = await integration.detect(home.context, target());
    expect(detection.state).toBe('drift');
    expect(detection.port).toBe(4800);
    expect(detection.drift).toEqual(['its api is "openai-responses", not "openai-completions"', 'its baseUrl is "http://127.0.0.1:4800/v1", not "http://127.0.0.1:4747/v1"']);
  });

  it('run: a private temporary copy with our entry, via OPENCLAW_CONFIG_PATH; the real file is only read', async () => {
    await writeExisting(JSON5_CONFIG);
    const plan = await integration.runPlan(home.context, target());
    const copy = plan.env.OPENCLAW_CONFIG_PATH ?? '';
    expect(copy).not.toBe(file);
    expect(await modeOf(copy)).toBe(0o600);
    const value = json5(await readFile(copy, 'utf8'));
    expect(value.models.providers.switchboard.apiKey).toBe(TOKEN);
    expect(value.agents.defaults.model.primary).toBe('switchboard/auto-fastest');
    expect(await readFile(file, 'utf8')).toBe(JSON5_CONFIG);
    await plan.cleanup?.();
    expect(await exists(copy)).toBe(false);

    await writeExisting('{ "$include": "./base.json5" }\n');
    await expect(integration.runPlan(home.context, target())).rejects.toThrow(/\$include/);
  });
});
