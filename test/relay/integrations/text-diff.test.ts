import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../relay/integrations/text-diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('f.json', 'a\n', 'a\n')).toBe('');
  });

  it('shows a new file as all additions', () => {
    expect(unifiedDiff('/h/f.json', undefined, '{\n  "a": 1\n}\n')).toBe('--- /dev/null\n+++ /h/f.json\n@@ -0,0 +1,3 @@\n+{\n+  "a": 1\n+}\n');
  });

  it('shows a deleted file as all removals', () => {
    expect(unifiedDiff('f', 'x\ny\n', undefined)).toBe('--- f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n');
  });

  it('keeps three lines of context and separates distant changes into hunks', () => {
    const before = Array.from({ length: 20 }, (_, index) => `line ${index + 1}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', 'line 18\nline 18.5\n');
    expect(unifiedDiff('f', before, after)).toBe(
      [
        '--- f',
        '+++ f',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -16,5 +16,6 @@',
        ' line 16',
        ' line 17',
        ' line 18',
        '+line 18.5',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
  });

  it('says so when only line endings differ', () => {
    expect(unifiedDiff('f', 'a\r\n', 'a\n')).toContain('(only line endings differ)');
  });
});
