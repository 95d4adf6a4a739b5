import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const electronDir = join(import.meta.dirname, '../../electron');

/** electron/preload.ts compiled with electron/tsconfig.json's own options, as `tsc -b` emits it. */
function compiledPreload(): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(electronDir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('electron/tsconfig.json did not parse');
  const program = ts.createProgram([join(electronDir, 'preload.ts')], { ...parsed.options, composite: false, declaration: false, incremental: false, sourceMap: false, noEmit: false, noLib: true, types: [] });
  let output: string | undefined;
  program.emit(undefined, (fileName, text) => {
    if (fileName.endsWith('preload.js')) output = text;
  });
  if (output === undefined) throw new Error('preload.ts emitted nothing');
  return output;
}

describe('preload', () => {
  it('exposes nothing: no bridge, no IPC, no imports', () => {
    const source = readFileSync(join(electronDir, 'preload.ts'), 'utf8');
    const code = source
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n')
      .trim();
    expect(code).toBe('');
  });

  it('compiles to a plain script, which a sandboxed preload must be (no `export {}`)', () => {
    const output = compiledPreload();
    expect(output).not.toMatch(/^\s*(export|import)\b/m);
    expect(output).not.toMatch(/\brequire\(/);
  });
});
