import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../relay/cli/main.js';
import { createHarness, type Harness } from '../../helpers/harness.js';
import type { FakeUpstream } from '../../helpers/fake-upstream.js';
import type { TestRelay } from '../../helpers/start-relay.js';
import { runBinary } from '../../helpers/run-binary.js';
import { captureIo } from '../cli/capture-io.js';
import { tempHome, type TempHome } from './temp-home.js';

/**
 * The real Codex CLI (the `@openai/codex` devDependency, whose native binary ships in a
 * per-platform npm package) configured by `switchboard configure codex` against a temporary
 * HOME, speaking the Responses wire to a test relay whose upstream is the fake chat-completions
 * upstream. Skipped only when no Codex binary can run on this machine, with the reason in the
 * test's name.
 */

const require = createRequire(import.meta.url);
const PROVIDER_KEY = 'sk-fake-upstream-key-0123456789';
const RELAY_TOKEN = 'relay-token-e2e-0123456789abcdef';

/** Where @openai/codex keeps its binary: vendor/<target triple>/bin/codex in @openai/codex-<os>-<arch>. */
function findCodex(): { binary?: string; reason?: string } {
  const triples: Record<string, string> = {
    'linux-x64': 'x86_64-unknown-linux-musl',
    'linux-arm64': 'aarch64-unknown-linux-musl',
    'darwin-x64': 'x86_64-apple-darwin',
    'darwin-arm64': 'aarch64-apple-darwin',
    'win32-x64': 'x86_64-pc-windows-msvc',
    'win32-arm64': 'aarch64-pc-windows-msvc',
  };
  const key = `${platform()}-${arch()}`;
  const triple = triples[key];
  if (!triple) return { reason: `no Codex build for ${key}` };
  let directory: string;
  try {
    directory = dirname(require.resolve(`@openai/codex-${key}/package.json`));
  } catch {
    return { reason: `the @openai/codex-${key} package is not installed (run npm ci)` };
  }
  const binary = join(directory, 'vendor', triple, 'bin', platform() === 'win32' ? 'codex.exe' : 'codex');
  if (!existsSync(binary)) return { reason: `${binary} is missing` };
  try {
    execFileSync(binary, ['--version'], { stdio: 'pipe', timeout: 30_000 });
    return { binary };
  } catch (error) {
    return { reason: `${binary} does not run here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

const found = findCodex();
const title = found.binary ? 'answers `codex exec "say hi"` over the Responses wire through the relay' : `skipped: ${found.reason}`;

describe('Codex CLI end to end', () => {
  let harness: Harness;
  let home: TempHome;
  let upstream: FakeUpstream;
  let relay: TestRelay;

  beforeAll(async () => {
    if (!found.binary) return;
    harness = createHarness();
    home = await tempHome();
    upstream = await harness.upstream({ models: [{ id: 'fake-small', contextWindow: 32_768 }] });
    relay = await harness.relayFor([{ id: 'fake', upstream, keys: [{ id: 'fake-key', label: 'one' }] }], {
      secrets: { 'fake-key': PROVIDER_KEY },
      env: { HOME: home.home, PATH: home.bin, SWITCHBOARD_TOKEN: RELAY_TOKEN },
    });
  });
  afterAll(async () => {
    await harness?.closeAll();
    await home?.cleanup();
  });

  it.skipIf(!found.binary)(
    title,
    async () => {
      const binary = found.binary ?? '';
      const io = captureIo({ ...home.context.env, SWITCHBOARD_TOKEN: RELAY_TOKEN });
      expect(await main(['configure', 'codex', '--yes', '--set-default', '--config-dir', relay.configDir], io)).toBe(0);
      const file = join(home.home, '.codex', 'config.toml');
      const written = await readFile(file, 'utf8');
      expect(written).toContain('wire_api = "responses"');
      expect(written).not.toContain(PROVIDER_KEY);

      const project = join(home.home, 'project');
      await mkdir(project, { recursive: true });
      // Codex reads its key from the variable the provider names; the relay token goes there.
      const env = { HOME: home.home, PATH: process.env.PATH ?? '', TERM: 'dumb', NO_COLOR: '1', SWITCHBOARD_API_KEY: RELAY_TOKEN };
      const result = await runBinary(binary, ['exec', '--skip-git-repo-check', 'say hi'], { cwd: project, env });
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      expect(result.stdout).toContain('Hello from the fake upstream.');
      // Codex spoke Responses to the relay; the relay spoke chat completions upstream with the provider key.
      const chats = upstream.requests.filter((request) => request.path.endsWith('/chat/completions'));
      expect(chats.length).toBeGreaterThan(0);
      expect(chats.every((request) => request.model === 'fake-small' && request.apiKey === PROVIDER_KEY)).toBe(true);
      expect(JSON.stringify(chats[0]?.body)).toContain('say hi');
    },
    120_000,
  );
});
