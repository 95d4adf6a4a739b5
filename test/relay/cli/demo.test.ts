import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DemoView } from '../../../relay/admin/dto.js';
import { main } from '../../../relay/cli/main.js';
import { captureIo, run } from './capture-io.js';

async function waitFor(condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('switchboard demo', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-demo-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves simulated providers without any key, says so, and leaves config.json alone', async () => {
    // Local servers off: the test sees only the simulators, whatever runs on this machine.
    const config = `${JSON.stringify({ version: 1, providers: { ollama: { enabled: false }, lmstudio: { enabled: false } } }, null, 2)}\n`;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), config);
    const io = captureIo({});
    const exited = main(['demo', '--port', '0', '--config-dir', dir], io);
    await waitFor(() => io.out.includes('Press Ctrl-C'));

    const lines = io.out.split('\n');
    const url = /^Switchboard is listening at (http:\/\/127\.0\.0\.1:\d+)\/v1$/.exec(lines[0] ?? '')?.[1];
    expect(url).toBeDefined();
    const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    expect(lines[1]).toBe(`Dashboard: ${url}/?admin=${token}`);
    expect(lines[2]).toMatch(/^Demo mode: demo-fast, demo-slow and demo-flaky are SIMULATED providers/);
    expect(lines[3]).toBe('Try it:');
    expect(lines[4]).toBe(
      `  curl ${url}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"auto-fastest","messages":[{"role":"user","content":"Hello"}]}'`,
    );
    expect(lines[5]).toMatch(/^Ready: demo-fast, demo-slow, demo-flaky\./);

    // What the printed curl sends, answered by a simulated provider (short, so the test stays quick).
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto-fastest', max_tokens: 4, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchboard-provider')).toMatch(/^demo-/);
    const demo = (await (await fetch(`${url}/admin/demo`, { headers: { authorization: `Bearer ${token}` } })).json()) as DemoView;
    expect(demo.running).toBe(true);

    io.signal('SIGINT');
    expect(await exited).toBe(0);
    expect(io.err).toContain('Stopping (SIGINT)');
    await expect(access(join(dir, 'relay.json'))).rejects.toThrow();
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe(config);
  });

  it('shows the relay token header in the example when clients need one', async () => {
    const io = captureIo({ SWITCHBOARD_TOKEN: 'relay-token-0123456789abcdef' });
    const exited = main(['demo', '--port', '0', '--config-dir', dir], io);
    await waitFor(() => io.out.includes('Press Ctrl-C'));
    expect(io.out).toContain(`-H 'authorization: Bearer <your relay token>'`);
    expect(io.out).not.toContain('relay-token-0123456789abcdef');
    io.signal('SIGTERM');
    expect(await exited).toBe(0);
    expect(await readFile(join(dir, 'config.json'), 'utf8')).not.toContain('demo');
  });

  it('has help, takes --port only, and is listed in the main help', async () => {
    const help = await run(['demo', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: switchboard demo [--port N]');
    expect(help.out).toContain('SIMULATED');
    expect((await run(['help'])).out).toMatch(/\n {2}demo \[--port N\] +Run the relay with three simulated providers/);
    const bad = await run(['demo', '--host', '0.0.0.0'], { dir });
    expect(bad.code).toBe(2);
  });
});
