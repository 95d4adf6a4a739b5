import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay } from '../../helpers/start-relay.js';
import { run } from './capture-io.js';

describe('switchboard status and models', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-status-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('says the relay is not running and shows providers offline, creating nothing', async () => {
    const { code, out } = await run(['status'], { dir, env: { GROQ_API_KEY: 'gsk_env_one_aaaa1111' } });
    expect(code).toBe(0);
    expect(out).toContain('Switchboard is not running. Start it with `switchboard serve`.');
    expect(out).toContain(`Config dir:  ${dir}`);
    expect(out).toMatch(/groq\s+ready\s+1\s+7/);
    expect(out).toMatch(/cerebras\s+needs a key\s+0\s+2\s+get a key: https:\/\/cloud\.cerebras\.ai/);
    expect(out).not.toContain('gsk_env');
    await expect(mkdir(dir)).resolves.toBeUndefined();
  });

  it('shows a problem with the settings file offline', async () => {
    await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dir, 'config.json'), '{ "server": { "port": "nope" } }');
    const { code, out } = await run(['status'], { dir });
    expect(code).toBe(0);
    expect(out).toContain('Problem:');
    expect(out).toContain('server.port');
  });

  it('lists models offline from the catalog and the keys on disk', async () => {
    const empty = await run(['models'], { dir });
    expect(empty.code).toBe(0);
    expect(empty.out).toContain('No models can be served yet');
    await run(['keys', 'add', 'groq', 'gsk_stored_key_1111'], { dir });
    const { code, out, err } = await run(['models'], { dir });
    expect(code).toBe(0);
    expect(err).toContain('not running');
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROVIDER\s+CONTEXT\s+FREE$/);
    expect(lines).toContainEqual(expect.stringMatching(/^llama-3\.1-8b-instant\s+groq\s+131,072\s+yes$/));
    expect(lines).toHaveLength(8);
  });

  it('shows a running relay through its admin API', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small', 'fake-large'] }]) });
    try {
      const status = await run(['status'], { dir: relay.configDir });
      expect(status.code).toBe(0);
      expect(status.out).toMatch(new RegExp(`^Switchboard 0\\.1\\.0 is running \\(pid ${process.pid}, up \\d+s\\)\\.`));
      expect(status.out).toContain(`Base URL:    ${relay.url}/v1`);
      expect(status.out).toContain('Keys stored: in memory only');
      expect(status.out).toContain('Models:      2 routes servable');
      expect(status.out).toMatch(/fake\s+ready\s+0\s+2/);

      const models = await run(['models'], { dir: relay.configDir });
      expect(models.err).toBe('');
      // The live QoS table: every servable route, auto-fastest's current choice marked and explained.
      const lines = models.out.split('\n');
      expect(lines[0]).toMatch(/^\s+ROUTE\s+GROUP\s+STATUS\s+TTFT P50\s+TTFT P95\s+TOK\/S\s+UPTIME 1H\s+CONTEXT\s+FREE$/);
      expect(lines.filter((line) => /fake\/fake-(small|large)\s+fake-(small|large)\s+unmeasured/.test(line))).toHaveLength(2);
      expect(lines.filter((line) => /^▶\s+fake\//.test(line))).toHaveLength(1);
      expect(models.out).toMatch(/▶ auto-fastest goes to fake\/fake-(small|large) now: first in priority order; not measured yet\./);
    } finally {
      await relay.close();
      await upstream.close();
    }
    const after = await run(['status'], { dir: relay.configDir });
    expect(after.out).toContain('Switchboard is not running.');
  });

  it('treats a stale runtime file as not running', async () => {
    await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dir, 'relay.json'), JSON.stringify({ pid: 2 ** 22 + 12345, host: '127.0.0.1', port: 1, url: 'http://127.0.0.1:1' }));
    const { out } = await run(['status'], { dir });
    expect(out).toContain('Switchboard is not running.');
  });
});
