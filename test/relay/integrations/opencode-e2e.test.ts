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
 * The real OpenCode CLI (the `opencode-ai` devDependency, a native binary shipped in per-platform
 * npm packages) configured by `switchboard configure opencode` against a temporary HOME, talking
 * to a test relay whose upstream is the fake upstream. Skipped only when no OpenCode binary can
 * run on this machine, with the reason in the test's name.
 */

const require = createRequire(import.meta.url);
const PROVIDER_KEY = 'sk-fake-upstream-key-0123456789';
const RELAY_TOKEN = 'relay-token-e2e-0123456789abcdef';

/** The platform packages opencode-ai's postinstall chooses from, in its order. */
function platformPackages(): string[] {
  const os = platform() === 'win32' ? 'windows' : platform();
  const base = `opencode-${os}-${arch()}`;
  return [base, `${base}-baseline`, `${base}-musl`, `${base}-baseline-musl`];
}

function findOpenCode(): { binary?: string; reason?: string } {
  const candidates: string[] = [];
  const problems: string[] = [];
  try {
    // What the postinstall links; found without relying on it having run.
    candidates.push(join(dirname(require.resolve('opencode-ai/package.json')), 'bin', 'opencode.exe'));
  } catch {
    problems.push('the opencode-ai package is not installed (run npm ci)');
  }
  for (const name of platformPackages()) {
    try {
      candidates.push(join(dirname(require.resolve(`${name}/package.json`)), 'bin', platform() === 'win32' ? 'opencode.exe' : 'opencode'));
    } catch {
      // not installed for this platform
    }
  }
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'pipe', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
      return { binary: candidate };
    } catch (error) {
      problems.push(`${candidate} does not run here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
  if (candidates.length === 0 || problems.length === 0) problems.push(`no OpenCode binary for ${platform()}-${arch()} is installed (none of ${platformPackages().join(', ')})`);
  return { reason: problems.join('; ') };
}

const found = findOpenCode();
const title = found.binary ? 'answers `opencode run "say hi"` through the relay with the fake upstream' : `skipped: ${found.reason}`;

describe('OpenCode end to end', () => {
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
      // Configure through the CLI, as a user would: the relay token goes into the file.
      const io = captureIo({ ...home.context.env, SWITCHBOARD_TOKEN: RELAY_TOKEN });
      expect(await main(['configure', 'opencode', '--yes', '--config-dir', relay.configDir], io)).toBe(0);
      const file = join(home.home, '.config', 'opencode', 'opencode.json');
      const written = await readFile(file, 'utf8');
      expect(written).toContain(RELAY_TOKEN);
      expect(written).not.toContain(PROVIDER_KEY);

      const project = join(home.home, 'project');
      await mkdir(project, { recursive: true });
      // Only this environment: no XDG_* or OPENCODE_* of the machine running the tests.
      const env = {
        HOME: home.home,
        PATH: process.env.PATH ?? '',
        TERM: 'dumb',
        NO_COLOR: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
      };
      const result = await runBinary(binary, ['run', 'say hi', '-m', 'switchboard/auto-fastest'], { cwd: project, env });
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      expect(result.stdout).toContain('Hello from the fake upstream.');
      // OpenCode asked the relay for auto-fastest; the relay asked the upstream with the provider key.
      const chats = upstream.requests.filter((request) => request.path.endsWith('/chat/completions'));
      expect(chats.length).toBeGreaterThan(0);
      expect(chats.every((request) => request.model === 'fake-small' && request.apiKey === PROVIDER_KEY)).toBe(true);
    },
    120_000,
  );

  it.skipIf(!found.binary)(
    found.binary ? '`switchboard run opencode run "say hi"` reaches the relay with no config file at all' : `skipped: ${found.reason}`,
    async () => {
      const io = captureIo({ ...home.context.env, SWITCHBOARD_TOKEN: RELAY_TOKEN });
      expect(await main(['configure', 'opencode', '--undo', '--yes', '--config-dir', relay.configDir], io)).toBe(0);
      const file = join(home.home, '.config', 'opencode', 'opencode.json');
      expect(existsSync(file)).toBe(false);
      // `run` hands the terminal to OpenCode (stdio inherited); under the test runner standard
      // input is an open pipe that `opencode run` would wait on, so the wrapper closes it.
      await home.addBinary('opencode', `#!/bin/sh\nexec '${found.binary ?? ''}' "$@" < /dev/null\n`);
      upstream.reset();
      const project = join(home.home, 'project');
      await mkdir(project, { recursive: true });
      const runIo = captureIo({
        HOME: home.home,
        PATH: `${home.bin}:${process.env.PATH ?? ''}`,
        SWITCHBOARD_TOKEN: RELAY_TOKEN,
        TERM: 'dumb',
        NO_COLOR: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
      });
      // OpenCode's own output goes to this process's terminal (stdio is inherited by design).
      const previous = process.cwd();
      process.chdir(project);
      try {
        expect(await main(['run', '--config-dir', relay.configDir, 'opencode', 'run', 'say hi'], runIo)).toBe(0);
      } finally {
        process.chdir(previous);
      }
      expect(runIo.err).toContain(`Starting OpenCode against Switchboard at ${relay.url}/v1`);
      expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).length).toBeGreaterThan(0);
      expect(existsSync(file)).toBe(false);
    },
    120_000,
  );
});
