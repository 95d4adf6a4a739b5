import { describe, expect, it } from 'vitest';
import { readEnvKeys } from '../../../relay/keys/env-keys.js';

const groq = { id: 'groq', keyEnv: ['GROQ_API_KEY'] };

describe('readEnvKeys', () => {
  it('reads NAME, NAME_1, NAME_2, ... up to the first gap', () => {
    const env = {
      GROQ_API_KEY: 'key-0',
      GROQ_API_KEY_1: 'key-1',
      GROQ_API_KEY_2: 'key-2',
      GROQ_API_KEY_3: 'key-3',
      GROQ_API_KEY_5: 'key-5',
    };
    expect(readEnvKeys(env, [groq])).toEqual([
      { providerId: 'groq', id: 'env:GROQ_API_KEY', label: 'GROQ_API_KEY', secret: 'key-0' },
      { providerId: 'groq', id: 'env:GROQ_API_KEY_1', label: 'GROQ_API_KEY_1', secret: 'key-1' },
      { providerId: 'groq', id: 'env:GROQ_API_KEY_2', label: 'GROQ_API_KEY_2', secret: 'key-2' },
      { providerId: 'groq', id: 'env:GROQ_API_KEY_3', label: 'GROQ_API_KEY_3', secret: 'key-3' },
    ]);
  });

  it('reads numbered keys without the bare name and without _1', () => {
    expect(readEnvKeys({ GROQ_API_KEY_2: 'b', GROQ_API_KEY_3: 'c' }, [groq]).map((key) => key.id)).toEqual([
      'env:GROQ_API_KEY_2',
      'env:GROQ_API_KEY_3',
    ]);
  });

  it('trims values, skips blank ones and continues past a blank numbered one', () => {
    const env = { GROQ_API_KEY: '  key-0\n', GROQ_API_KEY_2: '   ', GROQ_API_KEY_3: 'key-3' };
    expect(readEnvKeys(env, [groq]).map((key) => [key.label, key.secret])).toEqual([
      ['GROQ_API_KEY', 'key-0'],
      ['GROQ_API_KEY_3', 'key-3'],
    ]);
  });

  it('skips values with a line break inside', () => {
    expect(readEnvKeys({ GROQ_API_KEY: 'a\nb' }, [groq])).toEqual([]);
  });

  it('dedupes identical secrets per provider, across variable names', () => {
    const providers = [
      { id: 'gemini', keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] },
      { id: 'vertex', keyEnv: ['GOOGLE_API_KEY'] },
    ];
    const env = { GEMINI_API_KEY: 'same', GEMINI_API_KEY_2: 'same', GOOGLE_API_KEY: ' same ', GOOGLE_API_KEY_2: 'other' };
    expect(readEnvKeys(env, providers).map((key) => `${key.providerId}/${key.label}`)).toEqual([
      'gemini/GEMINI_API_KEY',
      'gemini/GOOGLE_API_KEY_2',
      'vertex/GOOGLE_API_KEY',
      'vertex/GOOGLE_API_KEY_2',
    ]);
  });

  it('returns nothing when no variable is set', () => {
    expect(readEnvKeys({}, [groq, { id: 'none', keyEnv: [] }])).toEqual([]);
  });
});
