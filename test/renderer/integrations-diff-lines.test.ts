import { describe, expect, it } from 'vitest';
import { diffCounts, diffLines } from '../../renderer/lib/components/integrations/diff-lines.js';
import { listSummary, portOf, stalePort, stateLabel } from '../../renderer/lib/components/integrations/integration-status.js';

const DIFF = [
  '--- /home/u/.config/opencode/opencode.json',
  '+++ /home/u/.config/opencode/opencode.json',
  '@@ -1,4 +1,6 @@',
  ' {',
  '-  "theme": "dark"',
  '+  "theme": "dark",',
  '+  "provider": {}',
  '---x removed line that starts with two dashes',
  '+++y added line that starts with two pluses',
  '',
  '(only line endings differ)',
  '',
].join('\n');

describe('diffLines', () => {
  it('classifies header, hunk, added, removed and unchanged lines, and keeps each text as it is', () => {
    const lines = diffLines(DIFF);
    expect(lines.map((line) => line.kind)).toEqual(['header', 'header', 'hunk', 'context', 'remove', 'add', 'add', 'remove', 'add', 'context', 'note']);
    expect(lines.map((line) => line.text)).toEqual(DIFF.split('\n').slice(0, -1));
    expect(new Set(lines.map((line) => line.key)).size).toBe(lines.length);
  });

  it('treats --- and +++ as a header only before the first hunk', () => {
    const kinds = diffLines('--- /dev/null\n+++ a.json\n@@ -0,0 +1 @@\n+--- not a header\n').map((line) => line.kind);
    expect(kinds).toEqual(['header', 'header', 'hunk', 'add']);
  });

  it('reads CRLF diffs, and an empty diff has no lines', () => {
    expect(diffLines('--- a\r\n+++ a\r\n@@ -1 +1 @@\r\n-x\r\n+y\r\n').map((line) => line.text)).toEqual(['--- a', '+++ a', '@@ -1 +1 @@', '-x', '+y']);
    expect(diffLines('')).toEqual([]);
  });

  it('counts added and removed lines', () => {
    expect(diffCounts(diffLines(DIFF))).toEqual({ added: 3, removed: 2 });
  });
});

describe('integration status', () => {
  it('names each state for its badge', () => {
    expect(stateLabel('configured')).toEqual({ text: 'Configured ✓', tone: 'ok' });
    expect(stateLabel('not-configured').text).toBe('Not configured');
    expect(stateLabel('drift')).toEqual({ text: 'Needs repair', tone: 'warn' });
    expect(stateLabel('invalid')).toEqual({ text: "Can't read", tone: 'bad' });
  });

  it('reads ports from origins and base URLs', () => {
    expect(portOf('http://127.0.0.1:4747')).toBe(4747);
    expect(portOf('http://[::1]:8080/v1')).toBe(8080);
    expect(portOf('https://relay.example')).toBe(443);
    expect(portOf('http://localhost/v1')).toBe(80);
    expect(portOf(null)).toBeNull();
    expect(portOf('not a url')).toBeNull();
  });

  it('offers an update only to a client of ours that points at another port', () => {
    expect(stalePort({ state: 'drift', port: 1 }, 4747)).toBe(1);
    expect(stalePort({ state: 'configured', port: 4000 }, 4747)).toBe(4000);
    expect(stalePort({ state: 'configured', port: 4747 }, 4747)).toBeNull();
    expect(stalePort({ state: 'not-configured', port: null }, 4747)).toBeNull();
    expect(stalePort({ state: 'invalid', port: 1 }, 4747)).toBeNull();
    expect(stalePort({ state: 'drift', port: 1 }, null)).toBeNull();
  });

  it('keeps model lists to one short line', () => {
    expect(listSummary([])).toBe('none');
    expect(listSummary(['a', 'b'])).toBe('a, b');
    expect(listSummary(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d and 2 more');
  });
});
