import { isMap, parseDocument, type Document } from 'yaml';
import { IntegrationError } from './client-files.js';

/**
 * Editing a client's YAML config (Continue's config.yaml, Aider's .aider.conf.yml) with the
 * `yaml` package's Document API, which keeps comments, key order and the styles of untouched
 * nodes. Unlike the JSON editor it re-prints the whole document, so spacing may be normalised
 * (indentation of nested blocks, quoting of some scalars); the caller writes nothing when the data
 * is already what it wants, so an unchanged file stays byte-identical. CRLF line endings and a
 * BOM are kept.
 */

export interface YamlFile {
  document: Document;
  /** The file was empty or missing. */
  fresh: boolean;
  /** Re-prints the document the way the original was laid out (line endings, BOM, list indentation). */
  print(): string;
}

export function openYamlFile(text: string | undefined, clientName: string): YamlFile {
  const raw = text ?? '';
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = raw.slice(bom.length);
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const document = parseDocument(body.replace(/\r\n/g, '\n'), { keepSourceTokens: false });
  const problem = document.errors[0];
  if (problem !== undefined) {
    throw new IntegrationError(`${clientName}'s config is not valid YAML (${problem.message.split('\n')[0]}).`, 'invalid-file');
  }
  const fresh = body.trim() === '' || document.contents === null;
  if (!fresh && !isMap(document.contents)) throw new IntegrationError(`${clientName}'s config is not a YAML mapping at its top level.`, 'invalid-file');
  // `key:\n- item` (lists not indented under their key), as many hand-written files have it.
  const indentSeq = !/^[^\s#-][^\n]*:[ \t]*\n-[ \t]/m.test(body.replace(/\r\n/g, '\n'));
  return {
    document,
    fresh,
    print() {
      const printed = document.toString({ indentSeq, lineWidth: 0 });
      return `${bom}${eol === '\n' ? printed : printed.replace(/\n/g, eol)}`;
    },
  };
}
