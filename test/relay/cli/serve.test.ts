import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../relay/cli/main.js';
import { captureIo, run } from './capture-io.js';

async function waitFor(condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('switchboard serve', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-serve-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prints the one clear line and exits 1 when the port is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const { code, out, err } = await run(['serve', '--port', String(port)], { dir });
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toBe(
        `switchboard: Port ${port} on 127.0.0.1 is already in use (is Switchboard already running? try \`switchboard status\`). Choose another with --port or server.port.\n`,
      );
      await expect(access(join(dir, 'relay.json'))).rejects.toThrow();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('serves until SIGINT, printing the base URL, the dashboard link and the providers', async () => {
    const io = captureIo({ GROQ_API_KEY: 'gsk_env_one_aaaa1111' });
    // groq points at a closed local port: no key ever leaves the machine in tests.
    const config = { version: 1, providers: { groq: { discovery: false, baseUrl: 'http://127.0.0.1:9/v1' }, ollama: { enabled: false }, lmstudio: { enabled: false } } };
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const exited = main(['start', '--port', '0', '--config-dir', dir], io);
    await waitFor(() => io.out.includes('Press Ctrl-C'));
    const lines = io.out.split('\n');
    expect(lines[0]).toBe('The desktop app is not available here; running the relay headless.');
    const url = /^Switchboard is listening at (http:\/\/127\.0\.0\.1:\d+)\/v1$/.exec(lines[1] ?? '')?.[1];
    expect(url).toBeDefined();
    const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    expect(lines[2]).toBe(`Dashboard: ${url}/?admin=${token}`);
    // The printed link signs a browser in: the cookie is set and the token leaves the address.
    const link = await fetch(`${url}/?admin=${token}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/');
    expect(link.headers.get('set-cookie')).toContain('HttpOnly');
    expect(lines[3]).toMatch(/^Ready: groq\. Need a key: cerebras, /);
    expect(io.out).not.toContain('gsk_env');

    const status = await run(['status'], { dir });
    expect(status.out).toContain(`Base URL:    ${url}/v1`);
    const again = await run(['serve', '--port', '0'], { dir });
    expect(again.code).toBe(1);
    expect(again.err).toContain('Switchboard is already running for');

    io.signal('SIGINT');
    expect(await exited).toBe(0);
    expect(io.err).toContain('Stopping (SIGINT)');
    await expect(access(join(dir, 'relay.json'))).rejects.toThrow();
    expect((await run(['status'], { dir })).out).toContain('not running');
  });
});
