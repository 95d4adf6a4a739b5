import { describe, expect, it } from 'vitest';
import { RequestBodies } from '../../../relay/dispatch/request-bodies.js';
import { maskKey } from '../../../relay/keys/redact.js';

const KEY = 'gsk_live_0123456789abcdefXYZ';

function store(options: Partial<ConstructorParameters<typeof RequestBodies>[0]> = {}): RequestBodies {
  return new RequestBodies({ secrets: async () => [KEY], ...options });
}

/** Captures one request and waits until its bodies are kept. */
async function keep(bodies: RequestBodies, id: string, request: string, ...answer: Array<string | Uint8Array>): Promise<void> {
  const capture = bodies.capture(id);
  capture.request(Buffer.from(request));
  for (const chunk of answer) capture.written(chunk);
  capture.close();
  await bodies.get(id);
}

describe('RequestBodies', () => {
  it('keeps the request and every written chunk, in order, with keys masked', async () => {
    const bodies = store();
    const capture = bodies.capture('a');
    capture.request(Buffer.from(`{"prompt":"${KEY}"}`));
    capture.written('data: one\n\n');
    capture.written(Buffer.from(`data: ${KEY}\n\n`));
    capture.written(new Uint8Array([0x6f, 0x6b]));
    capture.written('6869', 'hex');
    capture.written(() => undefined);
    capture.written(undefined);
    expect(bodies.has('a')).toBe(true);
    capture.close();
    expect(await bodies.get('a')).toEqual({
      requestBody: `{"prompt":"${maskKey(KEY)}"}`,
      responseBody: `data: one\n\ndata: ${maskKey(KEY)}\n\nokhi`,
      truncated: false,
    });
  });

  it('shows what a request still answering has sent so far', async () => {
    const bodies = store();
    const capture = bodies.capture('a');
    capture.request(Buffer.from('{}'));
    capture.written('partial');
    expect(await bodies.get('a')).toEqual({ requestBody: '{}', responseBody: 'partial', truncated: false });
    capture.written(' and more');
    capture.close();
    expect((await bodies.get('a'))?.responseBody).toBe('partial and more');
  });

  it('copies written chunks, so a reused buffer does not change what was kept', async () => {
    const bodies = store();
    const capture = bodies.capture('a');
    const chunk = Buffer.from('first');
    capture.written(chunk);
    chunk.write('XXXXX');
    capture.close();
    expect((await bodies.get('a'))?.responseBody).toBe('first');
  });

  it('cuts each body at the limit', async () => {
    const bodies = store({ maxBodyBytes: 10 });
    await keep(bodies, 'a', '0123456789abc', '01234', '56789', 'more');
    expect(await bodies.get('a')).toEqual({ requestBody: '0123456789', responseBody: '0123456789', truncated: true });
    await keep(bodies, 'b', '0123456789', '0123456789');
    expect((await bodies.get('b'))?.truncated).toBe(false);
  });

  it('drops a key cut in half by the limit, and a character cut in half', async () => {
    const bodies = store({ maxBodyBytes: 20 });
    await keep(bodies, 'a', `0123456789${KEY}`, `aaaaaaaaaaaaaaaaaaa€`);
    const kept = await bodies.get('a');
    expect(kept?.requestBody).toBe('0123456789');
    expect(kept?.responseBody).toBe('a'.repeat(19));
  });

  it('keeps the last N requests, oldest dropped first', async () => {
    const bodies = store({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd']) await keep(bodies, id, '{}', id);
    expect(bodies.size).toBe(3);
    expect(bodies.has('a')).toBe(false);
    expect(await bodies.get('a')).toBeUndefined();
    expect((await bodies.get('d'))?.responseBody).toBe('d');
  });

  it('keeps at most the byte budget, oldest dropped first', async () => {
    const bodies = store({ maxTotalBytes: 250, maxBodyBytes: 100 });
    for (const id of ['a', 'b', 'c']) await keep(bodies, id, 'x'.repeat(50), 'y'.repeat(50));
    expect(bodies.has('a')).toBe(false);
    expect(bodies.has('b')).toBe(true);
    expect(bodies.has('c')).toBe(true);
  });

  it('keeps nothing for requests the log does not hold', async () => {
    const bodies = store({ recorded: (id) => id === 'chat' });
    await keep(bodies, 'count-tokens', '{}', '{"input_tokens":3}');
    await keep(bodies, 'chat', '{}', 'answer');
    expect(bodies.has('count-tokens')).toBe(false);
    expect(await bodies.get('count-tokens')).toBeUndefined();
    expect((await bodies.get('chat'))?.responseBody).toBe('answer');
  });

  it('keeps nothing when the secrets cannot be read', async () => {
    const bodies = store({ secrets: async () => Promise.reject(new Error('locked')) });
    await keep(bodies, 'a', '{}', 'answer');
    expect(bodies.has('a')).toBe(false);
    expect(await bodies.get('a')).toBeUndefined();
  });

  it('clear drops kept bodies, running captures and redactions under way', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bodies = store({ secrets: async () => (await gate, [KEY]) });
    const kept = bodies.capture('kept');
    kept.written('kept');
    kept.close();
    release();
    await bodies.get('kept');
    expect(bodies.has('kept')).toBe(true);

    let releaseLate: () => void = () => undefined;
    const late = new Promise<void>((resolve) => (releaseLate = resolve));
    const slow = new RequestBodies({ secrets: async () => (await late, [KEY]) });
    const redacting = slow.capture('redacting');
    redacting.written('x');
    redacting.close();
    const running = slow.capture('running');
    running.written('y');
    slow.clear();
    running.written('z');
    running.close();
    releaseLate();
    await slow.get('redacting');
    expect(slow.has('redacting')).toBe(false);
    expect(slow.has('running')).toBe(false);
    expect(await slow.get('running')).toBeUndefined();

    bodies.clear();
    expect(bodies.has('kept')).toBe(false);
    expect(bodies.size).toBe(0);
  });
});
