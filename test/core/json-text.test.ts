import { describe, expect, it } from 'vitest';
import { parseJsonText, placeAt } from '../../core/json-text.js';
import { studioFailure } from './studio-failure.js';

describe('JSON a person wrote', () => {
  it('counts lines and columns from 1', () => {
    const text = '{\n  "a": 1,\n  "b": [2, 3]\n}';
    expect(placeAt(text, 0)).toEqual({ line: 1, column: 1 });
    expect(placeAt(text, text.indexOf('"b"'))).toEqual({ line: 3, column: 3 });
    expect(placeAt(text, text.indexOf('3'))).toEqual({ line: 3, column: 12 });
  });

  it('reads what JSON.parse reads', () => {
    const text = '{"layers": [{"kind": "affine", "units": 3}], "x": 1e-3, "s": "\\u00e9", "x": 2}';
    expect(parseJsonText(text, 'net.json', 'BAD_SPEC').value).toEqual(JSON.parse(text));
  });

  it('says where a syntax error is, and what it is', () => {
    const fails = (text: string): string => studioFailure(() => parseJsonText(text, 'net.json', 'BAD_SPEC'));
    expect(fails('{\n  "layers": [\n    {"kind": "relu"},\n  ]\n}')).toBe(
      "BAD_SPEC: net.json:4:3: not valid JSON: a comma before ']' (JSON allows no trailing comma)",
    );
    expect(fails('{"a": 1,}')).toBe("BAD_SPEC: net.json:1:9: not valid JSON: a comma before '}' (JSON allows no trailing comma)");
    expect(fails('{"a": 1\n "b": 2}')).toBe('BAD_SPEC: net.json:2:2: not valid JSON: comma expected');
    expect(fails('{"a": tru}')).toMatch(/^BAD_SPEC: net\.json:1:7: not valid JSON: /);
    expect(fails('// a comment\n{}')).toMatch(/^BAD_SPEC: net\.json:1:1: not valid JSON: /);
    expect(fails('')).toMatch(/^BAD_SPEC: net\.json:1:1: not valid JSON: /);
    expect(fails('  \n')).toMatch(/^BAD_SPEC: net\.json:/);
  });

  it('finds a field, or the nearest parent of a missing one', () => {
    const text = '{\n  "layers": [\n    {"kind": "affine", "units": "3"},\n    {"kind": "conv"}\n  ]\n}';
    const json = parseJsonText(text, 'net.json', 'BAD_SPEC');
    expect(json.placeOf(['layers', 0, 'units'])).toEqual({ line: 3, column: 33 });
    expect(json.placeOf(['layers', 1, 'filters'])).toEqual({ line: 4, column: 5 });
    expect(json.placeOf([])).toEqual({ line: 1, column: 1 });
    expect(json.placeOf(['inputSize'])).toEqual({ line: 1, column: 1 });
  });
});
