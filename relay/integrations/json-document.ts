import { JsonObjectNode, JsonParser, type JsonValueNode } from '@croct/json5-parser';
import { createScanner, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

/**
 * Editing a client's JSON config in place: set one value at a path and leave every other byte
 * alone — comments, key order, indentation, trailing commas, the line endings and a BOM.
 *
 * JSON with comments and trailing commas (OpenCode's opencode.json(c), most OpenClaw files) is
 * read with `jsonc-parser` (Microsoft's, the one VS Code edits settings.json with); new
 * properties are written by the small insert/replace below, indented like their siblings, so
 * an edit touches only the lines it adds or replaces. A file that needs full JSON5 (unquoted
 * keys, single quotes: OpenClaw accepts them) is edited through `@croct/json5-parser`'s lossless
 * syntax tree instead.
 */

export type JsonPath = readonly string[];

/** The file cannot be read as the client's format, or its top level is not an object. */
export class JsonDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDocumentError';
  }
}

export interface JsonDocument {
  /** `jsonc` (plain JSON, comments, trailing commas) or `json5` (needs the JSON5 editor). */
  readonly syntax: 'jsonc' | 'json5';
  /** The whole text, as it would be written. */
  readonly text: string;
  /** The value at `path` (plain data), or undefined when absent. */
  get(path: JsonPath): unknown;
  /** Sets the value at `path`, creating missing parent objects; nothing changes when it is already equal. */
  set(path: JsonPath, value: unknown): void;
}

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true } as const;

/** Structural equality of JSON data; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

/** `{a: {b: value}}` for path [a, b]. */
function nest(path: JsonPath, value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))?.[0] ?? '';
}

function startsLine(text: string, offset: number): boolean {
  return text.slice(lineStart(text, offset), offset).trim() === '';
}

/** The indentation step of the file: a tab, or the first indented line's spaces (default two). */
function indentUnit(text: string): string {
  const first = /^([ \t]+)\S/m.exec(text)?.[1];
  if (first === undefined) return '  ';
  if (first.startsWith('\t')) return '\t';
  return first.length <= 8 ? first : '  ';
}

function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lastProperty(object: Node, key: string): Node | undefined {
  // JSON.parse and OpenCode keep the last of duplicate keys; so do we.
  return [...(object.children ?? [])].reverse().find((property) => property.children?.[0]?.value === key);
}

function positionOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - lineStart(text, offset) + 1}`;
}

class JsoncDocument implements JsonDocument {
  readonly syntax = 'jsonc';

  constructor(
    private readonly bom: string,
    private body: string,
  ) {}

  get text(): string {
    return this.bom + this.body;
  }

  private tree(): Node | undefined {
    const errors: ParseError[] = [];
    const root = parseTree(this.body, errors, PARSE_OPTIONS);
    if (errors.length > 0) throw new JsonDocumentError('the edited text no longer parses (a bug: nothing was written)');
    return root;
  }

  private find(path: JsonPath): Node | undefined {
    let node = this.tree();
    for (const key of path) {
      if (node?.type !== 'object') return undefined;
      node = lastProperty(node, key)?.children?.[1];
    }
    return node;
  }

  get(path: JsonPath): unknown {
    const node = this.find(path);
    return node === undefined ? undefined : (getNodeValue(node) as unknown);
  }

  set(path: JsonPath, value: unknown): void {
    if (path.length === 0) throw new JsonDocumentError('an empty path');
    const existing = this.find(path);
    if (existing !== undefined && jsonEqual(getNodeValue(existing), value)) return;
    const root = this.tree();
    if (root === undefined) {
      this.replaceEmpty(nest(path, value));
    } else {
      if (root.type !== 'object') throw new JsonDocumentError('its top level is not an object');
      let node: Node = root;
      for (let index = 0; index < path.length; index++) {
        const key = path[index] ?? '';
        const rest = path.slice(index + 1);
        const property = lastProperty(node, key);
        const child = property?.children?.[1];
        if (child === undefined) {
          this.insert(node, key, nest(rest, value));
          break;
        }
        if (rest.length === 0 || child.type !== 'object') {
          this.replace(child, nest(rest, value));
          break;
        }
        node = child;
      }
    }
    // A safety net: the edit must parse and hold exactly the value asked for.
    if (!jsonEqual(this.get(path), value)) throw new JsonDocumentError('the edit did not take (a bug: nothing was written)');
  }

  private pretty(value: unknown, indent: string): string {
    return JSON.stringify(value, null, indentUnit(this.body)).replace(/\n/g, lineEnding(this.body) + indent);
  }

  /** No value at all (an empty file, or only comments): the new object goes after what is there. */
  private replaceEmpty(value: unknown): void {
    const eol = lineEnding(this.body);
    const kept = this.body.trimEnd();
    this.body = `${kept}${kept === '' ? '' : eol}${this.pretty(value, '')}${eol}`;
  }

  private replace(node: Node, value: unknown): void {
    const text = this.pretty(value, lineIndent(this.body, node.offset));
    this.body = this.body.slice(0, node.offset) + text + this.body.slice(node.offset + node.length);
  }

  /** Adds `"key": value` as the last property of `object`, on its own line, indented like its siblings. */
  private insert(object: Node, key: string, value: unknown): void {
    const body = this.body;
    const eol = lineEnding(body);
    const close = object.offset + object.length - 1;
    const children = object.children ?? [];
    const first = children[0];
    const last = children[children.length - 1];
    const parentIndent = lineIndent(body, object.offset);
    const childIndent = first !== undefined && startsLine(body, first.offset) ? lineIndent(body, first.offset) : parentIndent + indentUnit(body);

    let trailingComma = false;
    const lastEnd = last === undefined ? object.offset + 1 : last.offset + last.length;
    if (last !== undefined) {
      const scanner = createScanner(body, true);
      scanner.setPosition(lastEnd);
      scanner.scan();
      // (SyntaxKind is a const enum, which verbatimModuleSyntax cannot read: compare the text.)
      trailingComma = body[scanner.getTokenOffset()] === ',';
    }
    // After the last thing before the closing brace: a trailing comma or a comment stays above us.
    let point = close;
    while (point > lastEnd && /\s/.test(body[point - 1] ?? '')) point--;
    const closeOnOwnLine = body.slice(point, close).includes('\n');
    const property = `${eol}${childIndent}${JSON.stringify(key)}: ${this.pretty(value, childIndent)}${trailingComma ? ',' : ''}`;
    this.body =
      body.slice(0, lastEnd) +
      (last !== undefined && !trailingComma ? ',' : '') +
      body.slice(lastEnd, point) +
      property +
      (closeOnOwnLine ? body.slice(point) : `${eol}${parentIndent}${body.slice(close)}`);
  }
}

class Json5Document implements JsonDocument {
  readonly syntax = 'json5';

  constructor(
    private readonly bom: string,
    private root: JsonObjectNode,
  ) {}

  get text(): string {
    return this.bom + this.root.toString();
  }

  private find(path: JsonPath): JsonValueNode | undefined {
    let node: JsonValueNode = this.root;
    for (const key of path) {
      if (!(node instanceof JsonObjectNode) || !node.has(key)) return undefined;
      node = node.get(key);
    }
    return node;
  }

  get(path: JsonPath): unknown {
    return this.find(path)?.toJSON();
  }

  set(path: JsonPath, value: unknown): void {
    if (path.length === 0) throw new JsonDocumentError('an empty path');
    if (jsonEqual(this.get(path), value) && this.find(path) !== undefined) return;
    let node: JsonObjectNode = this.root;
    for (let index = 0; index < path.length; index++) {
      const key = path[index] ?? '';
      const rest = path.slice(index + 1);
      const child = node.has(key) ? node.get(key) : undefined;
      if (child === undefined || rest.length === 0 || !(child instanceof JsonObjectNode)) {
        node.set(key, nest(rest, value) as Parameters<JsonObjectNode['set']>[1]);
        break;
      }
      node = child;
    }
    // Re-read what would be written: it must parse and hold exactly the value asked for.
    this.root = JsonParser.parse(this.root.toString(), JsonObjectNode);
    if (!jsonEqual(this.get(path), value)) throw new JsonDocumentError('the edit did not take (a bug: nothing was written)');
  }
}

/**
 * Opens `text` (undefined: no file yet) for editing. JSONC always; full JSON5 only when `json5`
 * is set. Throws a JsonDocumentError naming the first syntax error otherwise.
 */
export function openJsonDocument(text: string | undefined, options: { json5: boolean }): JsonDocument {
  const whole = text ?? '';
  const bom = whole.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = whole.slice(bom.length);
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, PARSE_OPTIONS);
  const first = errors[0];
  if (first === undefined) {
    if (root !== undefined && root.type !== 'object') throw new JsonDocumentError('its top level is not an object');
    return new JsoncDocument(bom, body);
  }
  if (options.json5) {
    try {
      return new Json5Document(bom, JsonParser.parse(body, JsonObjectNode));
    } catch (error) {
      throw new JsonDocumentError(`it is not valid JSON5 (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
  throw new JsonDocumentError(`it is not valid JSON with comments (${printParseErrorCode(first.error)} at ${positionOf(body, first.offset)})`);
}
