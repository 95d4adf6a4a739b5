import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestRelay } from '../../helpers/start-relay.js';
import { run } from './capture-io.js';

const CANARY = 'sk-canary-0123456789abcdef';

describe('switchboard endpoints', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-cli-endpoints-'));
    dir = join(root, 'cfg');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('adds, lists and removes an endpoint with its key', async () => {
    const added = await run(
      ['endpoints', 'add', 'vllm', 'http://127.0.0.1:8000/v1', '--key', '-', '--header', 'X-Team: blue', '--no-discovery', '--model', 'qwen3-coder', '--model', 'llama-3', '--free'],
      { dir, stdin: [CANARY] },
    );
    expect(added.code).toBe(0);
    expect(added.out).toBe("Added endpoint 'vllm' at http://127.0.0.1:8000/v1 with key …cdef.\n");
    const settings = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { endpoints: unknown[] };
    expect(settings.endpoints).toEqual([
      {
        id: 'vllm',
        baseUrl: 'http://127.0.0.1:8000/v1',
        enabled: true,
        keys: [{ id: expect.stringMatching(/^vllm-[a-z0-9]{8}$/) as unknown, label: 'key-1', addedAt: expect.any(String) as unknown }],
        headers: { 'X-Team': 'blue' },
        discovery: false,
        models: ['qwen3-coder', 'llama-3'],
        free: true,
      },
    ]);
    expect(JSON.stringify(settings)).not.toContain(CANARY);

    const listed = await run(['endpoints', 'list'], { dir });
    expect(listed.out.split('\n')).toEqual([
      'NAME  BASE URL                  KEYS   DISCOVERY  ENABLED  MODELS',
      'vllm  http://127.0.0.1:8000/v1  …cdef  off        yes      qwen3-coder,llama-3',
      '',
    ]);

    const removed = await run(['endpoints', 'remove', 'vllm'], { dir });
    expect(removed.out).toBe("Removed endpoint 'vllm' and deleted its key.\n");
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).not.toContain(CANARY);
    expect((await run(['endpoints', 'list'], { dir })).out).toContain('No custom endpoints.');
  });

  it('warns on stderr and refuses bad input', async () => {
    const lan = await run(['endpoints', 'add', 'lan', 'http://192.168.1.9:8000/v1'], { dir });
    expect(lan.code).toBe(0);
    expect(lan.err).toContain('warning: 192.168.1.9:8000 is reached over plain http');
    const header = await run(['endpoints', 'add', 'x', 'https://example.com/v1', '--header', 'no-colon'], { dir });
    expect(header.code).toBe(2);
    const credential = await run(['endpoints', 'add', 'x', 'https://example.com/v1', '--header', `Authorization: Bearer ${CANARY}`], { dir });
    expect(credential.code).toBe(1);
    expect(credential.err).not.toContain(CANARY);
    const missing = await run(['endpoints', 'remove', 'ghost'], { dir });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("There is no custom endpoint 'ghost'; endpoints: lan.");
  });

  it('changes a running relay at once', async () => {
    const upstream: FakeUpstream = await startFakeUpstream();
    const relay = await startTestRelay();
    try {
      const added = await run(['endpoints', 'add', 'fake', upstream.url, '--no-discovery', '--model', 'fake-small'], { dir: relay.configDir });
      expect(added.code).toBe(0);
      expect(added.out).toContain('The running relay uses it now.');
      const chat = await fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(chat.status).toBe(200);
      const listed = await run(['endpoints', 'list'], { dir: relay.configDir });
      expect(listed.out).toContain(`fake  ${upstream.url}  -     off        yes      fake-small`);
    } finally {
      await relay.close();
      await upstream.close();
    }
  });
});
