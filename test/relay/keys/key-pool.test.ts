import { describe, expect, it } from 'vitest';
import { KeyPool, type PoolKey } from '../../../relay/keys/key-pool.js';

const a: PoolKey = { id: 'a', label: 'A', secret: 'sk-a' };
const b: PoolKey = { id: 'b', label: 'B', secret: 'sk-b' };
const c: PoolKey = { id: 'c', label: 'C', secret: 'sk-c' };

function usableIds(pool: KeyPool, model = 'm', now = 0): string[] {
  return pool.keysFor('p', model, now, true).usable.map((key) => key.id);
}

describe('KeyPool', () => {
  it('tells its listeners when a key starts cooling down, is disabled or comes back, and only then', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b]);
    const changes: string[] = [];
    const stop = pool.onChange((provider) => changes.push(provider));
    pool.coolDown('p', a.id, 1_000, '429');
    pool.coolDown('p', a.id, 500, '429'); // an earlier end changes nothing
    pool.disable('p', b.id, '401', 0);
    pool.disable('p', b.id, '401', 0);
    pool.recordSuccess('p', a.id); // was not disabled
    pool.recordSuccess('p', b.id);
    expect(changes).toEqual(['p', 'p', 'p']);
    stop();
    pool.disable('p', a.id, '401', 0);
    expect(changes).toHaveLength(3);
  });

  it('rotates the starting key on every call (round-robin)', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b, c]);
    expect(usableIds(pool)).toEqual(['a', 'b', 'c']);
    expect(usableIds(pool)).toEqual(['b', 'c', 'a']);
    expect(usableIds(pool)).toEqual(['c', 'a', 'b']);
    expect(usableIds(pool)).toEqual(['a', 'b', 'c']);
  });

  it('does not rotate when only looking', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b, c]);
    expect(pool.keysFor('p', 'm', 0).usable.map((key) => key.id)).toEqual(['a', 'b', 'c']);
    expect(pool.keysFor('p', 'm', 0).usable.map((key) => key.id)).toEqual(['a', 'b', 'c']);
    expect(usableIds(pool)).toEqual(['a', 'b', 'c']);
  });

  it('keeps rotation per provider', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b]);
    pool.setKeys('q', [a, b]);
    expect(usableIds(pool)).toEqual(['a', 'b']);
    expect(pool.keysFor('q', 'm', 0).usable.map((key) => key.id)).toEqual(['a', 'b']);
  });

  it('offers a key only for the models its globs allow', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [
      { ...a, models: ['gpt-*'] },
      { ...b, models: ['openai/*', 'llama-3.3-70b'] },
      c,
    ]);
    expect(usableIds(pool, 'gpt-4o').sort()).toEqual(['a', 'c']);
    expect(usableIds(pool, 'openai/gpt-oss-120b:free').sort()).toEqual(['b', 'c']);
    expect(usableIds(pool, 'llama-3.3-70b').sort()).toEqual(['b', 'c']);
    expect(usableIds(pool, 'mistral-small').sort()).toEqual(['c']);
  });

  it('rests a cooling key until its time, listing cooling keys by reset time', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b, c]);
    pool.coolDown('p', 'a', 5000, 'rate limited');
    pool.coolDown('p', 'b', 2000, 'rate limited');
    const at1000 = pool.keysFor('p', 'm', 1000);
    expect(at1000.usable.map((key) => key.id)).toEqual(['c']);
    expect(at1000.cooling).toEqual([
      { key: b, until: 2000 },
      { key: a, until: 5000 },
    ]);
    expect(pool.state('p', 'a', 1000)).toEqual({ status: 'cooling', until: 5000, reason: 'rate limited' });
    expect(pool.keysFor('p', 'm', 2000).usable.map((key) => key.id).sort()).toEqual(['b', 'c']);
    expect(pool.keysFor('p', 'm', 5000).usable.map((key) => key.id).sort()).toEqual(['a', 'b', 'c']);
    expect(pool.state('p', 'a', 5000)).toEqual({ status: 'ok' });
  });

  it('never shortens a cooldown', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a]);
    pool.coolDown('p', 'a', 5000, 'long');
    pool.coolDown('p', 'a', 1000, 'short');
    expect(pool.state('p', 'a', 2000)).toEqual({ status: 'cooling', until: 5000, reason: 'long' });
  });

  it('disables a key with its reason until a success proves it works', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b]);
    pool.disable('p', 'a', 'rejected (HTTP 401)', 100);
    expect(pool.keysFor('p', 'm', 200)).toMatchObject({ usable: [b], cooling: [], disabled: [a] });
    expect(pool.state('p', 'a', 200)).toEqual({ status: 'disabled', reason: 'rejected (HTTP 401)', since: 100 });
    // A second failure keeps the first reason and time.
    pool.disable('p', 'a', 'other', 300);
    expect(pool.state('p', 'a', 400)).toMatchObject({ reason: 'rejected (HTTP 401)', since: 100 });
    pool.recordSuccess('p', 'a');
    expect(pool.state('p', 'a', 400)).toEqual({ status: 'ok' });
  });

  it('keeps the health of keys that stay across setKeys, and forgets it when the secret changes', () => {
    const pool = new KeyPool();
    pool.setKeys('p', [a, b]);
    pool.disable('p', 'a', 'rejected', 0);
    pool.coolDown('p', 'b', 10_000, 'rate limited');
    pool.setKeys('p', [a, b, c]);
    expect(pool.state('p', 'a', 1)?.status).toBe('disabled');
    expect(pool.state('p', 'b', 1)?.status).toBe('cooling');
    pool.setKeys('p', [{ ...a, secret: 'sk-a-new' }, { ...b, secret: 'sk-b-new' }]);
    expect(pool.state('p', 'a', 1)).toEqual({ status: 'ok' });
    expect(pool.state('p', 'b', 1)).toEqual({ status: 'ok' });
    expect(pool.state('p', 'c', 1)).toBeUndefined();
  });

  it('knows which providers have keys, and ignores unknown ids', () => {
    const pool = new KeyPool();
    expect(pool.hasKeys('p')).toBe(false);
    pool.setKeys('p', [a]);
    expect(pool.hasKeys('p')).toBe(true);
    pool.coolDown('p', 'nope', 1000, 'x');
    pool.disable('q', 'a', 'x', 0);
    pool.recordSuccess('q', 'a');
    expect(pool.state('p', 'a', 0)).toEqual({ status: 'ok' });
    expect(pool.keysFor('unknown', 'm', 0)).toEqual({ usable: [], cooling: [], disabled: [] });
  });
});
