import { describe, expect, it } from 'vitest';
import { jsonEqual, openJsonDocument } from '../../../relay/integrations/json-document.js';

describe('openJsonDocument', () => {
  it('replaces an existing value in place, indented like its line, and leaves the rest alone', () => {
    const document = openJsonDocument('{\n  // keep\n  "a": { "b": 1 }, /* and this */\n  "c": 2\n}\n', { json5: false });
    document.set(['a'], { b: 2, d: [1] });
    expect(document.text).toBe('{\n  // keep\n  "a": {\n    "b": 2,\n    "d": [\n      1\n    ]\n  }, /* and this */\n  "c": 2\n}\n');
  });

  it('creates missing parents and inserts into empty objects, keeping tabs', () => {
    const document = openJsonDocument('{\n\t"x": {}\n}\n', { json5: false });
    document.set(['x', 'y', 'z'], 1);
    expect(document.text).toBe('{\n\t"x": {\n\t\t"y": {\n\t\t\t"z": 1\n\t\t}\n\t}\n}\n');
  });

  it('adds a comma after a last property that has none, before its comment', () => {
    const document = openJsonDocument('{\n  "a": 1 // one\n}', { json5: false });
    document.set(['b'], true);
    expect(document.text).toBe('{\n  "a": 1, // one\n  "b": true\n}');
  });

  it('writes nothing for an equal value, whatever its key order', () => {
    const text = '{ "a": { "y": 2, "x": 1 } }';
    const document = openJsonDocument(text, { json5: false });
    document.set(['a'], { x: 1, y: 2 });
    expect(document.text).toBe(text);
  });

  it('keeps comments above an otherwise empty file', () => {
    const document = openJsonDocument('// notes\n', { json5: false });
    document.set(['a'], 1);
    expect(document.text).toBe('// notes\n{\n  "a": 1\n}\n');
  });

  it('reads JSON5 only when allowed, and names the first error otherwise', () => {
    expect(() => openJsonDocument("{ a: 'x' }", { json5: false })).toThrow(/not valid JSON with comments \(InvalidSymbol at line 1, column 3\)/);
    const document = openJsonDocument("{ a: 'x' }", { json5: true });
    expect(document.syntax).toBe('json5');
    expect(document.get(['a'])).toBe('x');
    expect(() => openJsonDocument('{ a: ', { json5: true })).toThrow(/not valid JSON5/);
  });

  it('refuses a top level that is not an object', () => {
    expect(() => openJsonDocument('"text"', { json5: false })).toThrow(/top level is not an object/);
  });

  it('compares JSON structurally', () => {
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  });
});
