/**
 * A unified diff of two texts, line by line, for previews ("what will change in opencode.json").
 * Pure: no node:* imports. Small config files only: past a size where the line-by-line table
 * would be large, the whole old text is shown removed and the whole new text added.
 */

const CONTEXT_LINES = 3;
const MAX_TABLE_CELLS = 4_000_000;

type Operation = { kind: ' ' | '-' | '+'; line: string; oldNumber: number; newNumber: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  // A final newline ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from `before` to `after` by longest common subsequence. */
function operations(before: readonly string[], after: readonly string[]): Operation[] {
  const rows = before.length;
  const columns = after.length;
  if (rows * columns > MAX_TABLE_CELLS) {
    return [
      ...before.map((line, index) => ({ kind: '-' as const, line, oldNumber: index + 1, newNumber: 0 })),
      ...after.map((line, index) => ({ kind: '+' as const, line, oldNumber: rows, newNumber: index + 1 })),
    ];
  }
  // lengths[i][j]: LCS length of before[i..] and after[j..], in one flat array.
  const width = columns + 1;
  const lengths = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      lengths[i * width + j] =
        before[i] === after[j] ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  const result: Operation[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && before[i] === after[j]) {
      result.push({ kind: ' ', line: before[i] ?? '', oldNumber: i + 1, newNumber: j + 1 });
      i++;
      j++;
    } else if (i < rows && (j === columns || (lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0))) {
      // Removals before additions, as diff(1) prints them.
      result.push({ kind: '-', line: before[i] ?? '', oldNumber: i + 1, newNumber: j });
      i++;
    } else {
      result.push({ kind: '+', line: after[j] ?? '', oldNumber: i, newNumber: j + 1 });
      j++;
    }
  }
  return result;
}

function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}

/**
 * `before` → `after` as a unified diff with three lines of context, both sides labelled `path`;
 * `undefined` stands for a missing file (`/dev/null`). Empty when the texts are equal.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined): string {
  if (before === after) return '';
  const oldLines = splitLines((before ?? '').replace(/\r\n/g, '\n'));
  const newLines = splitLines((after ?? '').replace(/\r\n/g, '\n'));
  const script = operations(oldLines, newLines);
  const header = [`--- ${before === undefined ? '/dev/null' : path}`, `+++ ${after === undefined ? '/dev/null' : path}`];
  const hunks: string[] = [];
  let index = 0;
  while (index < script.length) {
    // Find the next change, then grow the hunk while changes are close together.
    while (index < script.length && script[index]?.kind === ' ') index++;
    if (index >= script.length) break;
    const start = Math.max(0, index - CONTEXT_LINES);
    let end = index;
    let lastChange = index;
    while (end < script.length) {
      if (script[end]?.kind !== ' ') lastChange = end;
      else if (end - lastChange > 2 * CONTEXT_LINES) break;
      end++;
    }
    end = Math.min(script.length, lastChange + CONTEXT_LINES + 1);
    const slice = script.slice(start, end);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const first = slice[0];
    const oldStart = first === undefined ? 0 : first.kind === '+' ? first.oldNumber + (oldCount > 0 ? 1 : 0) : first.oldNumber;
    const newStart = first === undefined ? 0 : first.kind === '-' ? first.newNumber + (newCount > 0 ? 1 : 0) : first.newNumber;
    hunks.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of slice) hunks.push(`${op.kind}${op.line}`);
    index = end;
  }
  if (before !== undefined && after !== undefined && before.replace(/\r\n/g, '\n') === after.replace(/\r\n/g, '\n')) {
    hunks.push('(only line endings differ)');
  }
  return `${[...header, ...hunks].join('\n')}\n`;
}
