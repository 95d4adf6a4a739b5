import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay } from '../../helpers/start-relay.js';
import { run } from './capture-io.js';

describe('switchboard token', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-token-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('generates a token, shows it once, stores it as a secret and clears it', async () => {
    const set = await run(['token', 'set'], { dir });
    expect(set.code).toBe(0);
    const token = /Relay token: (\S+)/.exec(set.out)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(24);
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).toContain(token);
    const shown = await run(['token', 'show'], { dir });
    expect(shown.out).toContain(`A relay token is set (…${token.slice(-4)})`);
    expect(shown.out).not.toContain(token);
    expect((await run(['token', 'clear'], { dir })).code).toBe(0);
    expect((await run(['token', 'show'], { dir })).out).toContain('No relay token is set');
  });

  it('refuses a short token without echoing it', async () => {
    const short = await run(['token', 'set', 'tiny-secret'], { dir });
    expect(short.code).toBe(1);
    expect(short.err).not.toContain('tiny-secret');
  });

  it('applies at once to a running relay', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startTestRelay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small'] }]) });
    const chat = (headers: Record<string, string> = {}) =>
      fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] }),
      });
    try {
      expect((await chat()).status).toBe(200);
      const token = 'relay-token-for-this-test-0001';
      const set = await run(['token', 'set', '-'], { dir: relay.configDir, stdin: [token] });
      expect(set.out).toContain('The running relay requires it now.');
      expect((await chat()).status).toBe(401);
      expect((await chat({ authorization: `Bearer ${token}` })).status).toBe(200);
      await run(['token', 'clear'], { dir: relay.configDir });
      expect((await chat()).status).toBe(200);
    } finally {
      await relay.close();
      await upstream.close();
    }
  });
});
