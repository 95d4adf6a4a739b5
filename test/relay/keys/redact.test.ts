import { describe, expect, it } from 'vitest';
import { maskKey, redactHeaders, redactSecrets } from '../../../relay/keys/redact.js';

describe('maskKey', () => {
  it('shows only the last 4 characters of a long key', () => {
    expect(maskKey('sk-abcdefgh1234')).toBe('…1234');
    expect(maskKey('12345678')).toBe('…5678');
  });

  it('reveals nothing of a short key', () => {
    expect(maskKey('1234567')).toBe('…');
    expect(maskKey('')).toBe('…');
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of every known secret', () => {
    const text = 'key sk-one-aaaa1111 then sk-two-bbbb2222 and sk-one-aaaa1111 again';
    expect(redactSecrets(text, ['sk-one-aaaa1111', 'sk-two-bbbb2222'])).toBe('key …1111 then …2222 and …1111 again');
  });

  it('ignores secrets shorter than 8 characters and accepts any iterable', () => {
    expect(redactSecrets('abc short', new Set(['abc', '']))).toBe('abc short');
    expect(redactSecrets('x=secretvalue', new Map([['secretvalue', 1]]).keys())).toBe('x=…alue');
  });

  it('masks a secret containing another one as a whole', () => {
    expect(redactSecrets('token: prefix-abcdefgh-suffix', ['abcdefgh', 'prefix-abcdefgh-suffix'])).toBe('token: …ffix');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redactSecrets('a.b*c+d?e(f)g', ['.b*c+d?e('])).toBe('a…d?e(f)g');
  });
});

describe('redactHeaders', () => {
  it('redacts credential headers in any letter case and keeps the rest', () => {
    const headers = {
      Authorization: 'Bearer sk-123',
      'x-api-key': 'k',
      'API-Key': 'k',
      'x-goog-api-key': 'k',
      cookie: 'sid=1',
      'Proxy-Authorization': 'Basic x',
      'content-type': 'application/json',
      'x-absent': undefined,
    };
    const redacted = redactHeaders(headers);
    expect(redacted).toEqual({
      Authorization: '[redacted]',
      'x-api-key': '[redacted]',
      'API-Key': '[redacted]',
      'x-goog-api-key': '[redacted]',
      cookie: '[redacted]',
      'Proxy-Authorization': '[redacted]',
      'content-type': 'application/json',
      'x-absent': undefined,
    });
    expect(headers.Authorization).toBe('Bearer sk-123');
  });

  it('handles array values and Headers instances', () => {
    expect(redactHeaders({ 'set-cookie': ['a=1', 'b=2'], accept: ['x'] })).toEqual({ 'set-cookie': '[redacted]', accept: ['x'] });
    const headers = new Headers({ authorization: 'Bearer sk-123', accept: 'text/event-stream' });
    expect(redactHeaders(headers)).toEqual({ authorization: '[redacted]', accept: 'text/event-stream' });
  });
});
