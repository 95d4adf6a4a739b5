import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { run } from './capture-io.js';

const posixOnly = process.platform === 'win32' ? it.skip : it;

function listenOn(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function closedPort(): Promise<number> {
  const server = await listenOn();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('switchboard doctor', () => {
  let root: string;
  let dir: string;
  let ollama: FakeUpstream;
  let lmStudioPort: number;
  let relayPort: number;

  beforeAll(async () => {
    ollama = await startFakeUpstream();
  });
  afterAll(async () => {
    await ollama.close();
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-doctor-'));
    dir = join(root, 'cfg');
    await mkdir(dir, { mode: 0o700 });
    lmStudioPort = await closedPort();
    relayPort = await closedPort();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function writeConfig(extra: Record<string, unknown> = {}): Promise<void> {
    const config = {
      version: 1,
      server: { port: relayPort },
      providers: { ollama: { baseUrl: ollama.url }, lmstudio: { baseUrl: `http://127.0.0.1:${lmStudioPort}/v1` } },
      ...extra,
    };
    await writeFile(join(dir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
  }

  it('prints each check with ✓ or ✗ and a fix', async () => {
    await writeConfig();
    const { code, out } = await run(['doctor'], { dir, env: { GROQ_API_KEY: 'gsk_env_one_aaaa1111', GROQ_API_KEY_2: 'gsk_env_two_bbbb2222' } });
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`✓ Node.js ${process.versions.node}`);
    expect(out).toContain(`✓ Config directory ${dir}`);
    expect(out).toContain(`✓ Settings ${join(dir, 'config.json')} are valid`);
    expect(out).toContain('✓ No secrets.json yet (no stored keys)');
    expect(out).toContain('✓ Ready: groq (2 keys)');
    expect(out).toContain('- Need a key (add with `switchboard keys add PROVIDER`)');
    expect(out).toMatch(/\n {4}cerebras +https:\/\/cloud\.cerebras\.ai\n/);
    expect(out).toContain(`✓ Port ${relayPort} on 127.0.0.1 is free`);
    expect(out).toContain('✓ Listens on loopback (127.0.0.1) only: no relay token needed');
    expect(out).toContain(`✓ Ollama answers at ${ollama.url} (2 models)`);
    expect(out).toContain(`- LM Studio is not reachable at http://127.0.0.1:${lmStudioPort}/v1`);
    expect(out).toContain('✓ Keys in the environment: 2');
    expect(out).toContain('    GROQ_API_KEY …1111 (groq)');
    expect(out).toContain('    GROQ_API_KEY_2 …2222 (groq)');
    expect(out).not.toContain('gsk_env');
    expect(out.trimEnd().endsWith('No problems found.')).toBe(true);
  });

  it('fails with fixes: no provider ready, port taken, no relay token beyond loopback', async () => {
    const blocker = await listenOn();
    try {
      relayPort = portOf(blocker);
      await writeConfig({ server: { port: relayPort, host: '0.0.0.0' } });
      const { code, out } = await run(['doctor'], { dir });
      expect(code).toBe(1);
      expect(out).toContain('✗ No cloud provider is ready: none has a key');
      expect(out).toContain('  fix: get a key at https://console.groq.com/keys and run `switchboard keys add groq`');
      expect(out).toContain('✗ server.host is 0.0.0.0, beyond loopback, but no relay token is set');
      expect(out).toContain('- No provider keys in the environment');
      expect(out).toMatch(/problems? found\.\n$/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    await writeConfig({ server: { port: relayPort, host: '0.0.0.0' } });
    const withToken = await run(['doctor'], { dir, env: { SWITCHBOARD_TOKEN: 'token-123456' } });
    expect(withToken.out).toContain('✓ Listens on 0.0.0.0 and a relay token is set');
  });

  it('names a port held by another program', async () => {
    const blocker = await listenOn();
    try {
      relayPort = portOf(blocker);
      await writeConfig();
      const { out } = await run(['doctor'], { dir });
      expect(out).toContain(`✗ Port ${relayPort} on 127.0.0.1 is used by another program`);
      expect(out).toContain('  fix: stop that program, or choose another port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('does not fail when a custom endpoint will discover its models', async () => {
    await writeConfig({ endpoints: [{ id: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' }] });
    const { code, out } = await run(['doctor'], { dir });
    expect(code).toBe(0);
    expect(out).toContain('- No provider has models before discovery; vllm lists its models when the relay starts');
  });

  it('reports an invalid settings file', async () => {
    await writeFile(join(dir, 'config.json'), '{ not json', { mode: 0o600 });
    const { code, out } = await run(['doctor'], { dir, env: { GROQ_API_KEY: 'gsk_env_one_aaaa1111' } });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ .*config\.json is not valid JSON/);
    expect(out).toContain('never overwrites an invalid file');
  });

  posixOnly('flags files and directories others can read', async () => {
    await writeConfig();
    await run(['keys', 'add', 'groq', 'gsk_stored_key_1111'], { dir });
    await chmod(join(dir, 'secrets.json'), 0o644);
    await chmod(dir, 0o755);
    const { code, out } = await run(['doctor'], { dir });
    expect(code).toBe(1);
    expect(out).toContain(`✗ Config directory ${dir} is readable by others (mode 0755)`);
    expect(out).toContain(`  fix: chmod 700 '${dir}'`);
    expect(out).toContain(`✗ Secrets file ${join(dir, 'secrets.json')} is readable by others (mode 0644)`);
    expect(out).toContain(`  fix: chmod 600 '${join(dir, 'secrets.json')}'`);
    expect(out).toContain('✓ Ready: groq (1 key)');
  });

  it('changes nothing in a config directory that does not exist', async () => {
    const missing = join(root, 'missing');
    const { out } = await run(['doctor'], { dir: missing });
    expect(out).toContain(`- Config directory ${missing} does not exist yet`);
    expect(out).toContain('✓ No config.json yet: the defaults are in use');
    await expect(mkdir(missing)).resolves.toBeUndefined();
  });
});
