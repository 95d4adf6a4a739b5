/**
 * A unified diff (as the relay's previews send it) split into lines a view can colour: the
 * `---`/`+++` file header, `@@` hunk headers, added, removed and unchanged lines, and notes.
 * Pure text handling: the view renders each line as text, never as markup.
 */

export type DiffLineKind = 'header' | 'hunk' | 'add' | 'remove' | 'context' | 'note';

export interface DiffLine {
  /** Stable within one diff, for keyed lists. */
  key: number;
  kind: DiffLineKind;
  text: string;
}

/**
 * Classifies every line of `diff`. The file header is only what comes before the first hunk, so a
 * removed line that itself starts with `--` (`---x`) is still a removal.
 */
export function diffLines(diff: string): DiffLine[] {
  if (diff === '') return [];
  const lines = diff.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let inHunk = false;
  return lines.map((text, key) => {
    const kind = classify(text, inHunk);
    if (kind === 'hunk') inHunk = true;
    return { key, kind, text };
  });
}

function classify(text: string, inHunk: boolean): DiffLineKind {
  if (text.startsWith('@@')) return 'hunk';
  if (!inHunk) return text.startsWith('--- ') || text.startsWith('+++ ') ? 'header' : 'note';
  if (text.startsWith('+')) return 'add';
  if (text.startsWith('-')) return 'remove';
  if (text.startsWith(' ') || text === '') return 'context';
  return 'note';
}

/** How many lines a diff adds and removes, for a one-line summary above it. */
export function diffCounts(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === 'add') added++;
    else if (line.kind === 'remove') removed++;
  }
  return { added, removed };
}
