import { describe, expect, test } from 'vitest';
import { readDataFile, type LoadedData } from '../../../core/data/read-data.js';
import { StudioError } from '../../../core/errors.js';
import { DATA_LIMITS } from '../../../core/data/limits.js';
import { studioRefusal } from '../studio-failure.js';

/**
 * What a CSV/TSV cell and a CSV/TSV file may be: decimal numbers only, numeric
 * labels kept apart when their text differs in value, and fields and lines of
 * bounded length refused before the parser builds them.
 */

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (s: string, name = 't.csv'): LoadedData => readDataFile({ name, bytes: text(s) });

const failure = (s: string, name = 't.csv'): StudioError => studioRefusal(() => read(s, name));

describe('over-long fields and lines are refused before parsing, with the place', () => {
  test('one huge unquoted field', () => {
    const e = failure(`a,b,c\n1,2,x\n3,${'7'.repeat(DATA_LIMITS.maxFieldBytes + 10)},y\n`);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.where).toEqual({ file: 't.csv', line: 3, column: 2 });
    expect(e.message).toMatch(/^t\.csv:3:2: a field of more than 64\.0 KB \(the limit is 64\.0 KB\)/);
    expect(e.message.length).toBeLessThan(250);
  });

  test('one huge quoted field, even with delimiters and line breaks inside, is placed where it starts', () => {
    const body = 'word, more\n'.repeat(Math.ceil(DATA_LIMITS.maxFieldBytes / 11) + 1);
    const e = failure(`1,2,a\n3,4,"${body}"\n`);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.where).toEqual({ file: 't.csv', line: 2, column: 3 });
  });

  test('a quote that never closes makes one huge field', () => {
    const e = failure(`1,2,a\n3,"4,b\n${'5,6,c\n'.repeat(20_000)}`);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.where).toEqual({ file: 't.csv', line: 2, column: 2 });
  });

  test('a line longer than the limit, made of short fields', () => {
    // More fields than the features limit would be refused first; so a line of long-ish fields.
    const field = 'x'.repeat(60);
    const count = Math.ceil(DATA_LIMITS.maxLineBytes / 61) + 1;
    const e = failure(`1,2,a\n${`${field},`.repeat(count)}b\n`);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.where).toEqual({ file: 't.csv', line: 2 });
    expect(e.message).toMatch(/^t\.csv:2: a line of more than 32\.0 MB/);
  });

  test('the same limits hold in TSV and in semicolon files, and on a CRLF file the line number is right', () => {
    expect(failure(`1\t2\ta\r\n3\t${'9'.repeat(DATA_LIMITS.maxFieldBytes + 1)}\tb\r\n`, 't.tsv').where).toEqual({
      file: 't.tsv',
      line: 2,
      column: 2,
    });
    expect(failure(`1;2;a\n\n3;4;${'b'.repeat(DATA_LIMITS.maxFieldBytes + 1)}\n`).where).toEqual({ file: 't.csv', line: 3, column: 3 });
  });

  test('fields just under the limit, escaped quotes and quoted line breaks are read as before', () => {
    const label = 'n'.repeat(DATA_LIMITS.maxFieldBytes - 10);
    const d = read(`x,y,label\n1,2,${label}\n3,4,"say ""hi""\nthere"\n5,6,${label}\n`);
    expect(d.dataset.count).toBe(3);
    expect(d.dataset.classNames).toEqual(['say "hi"\nthere', label].sort((a, b) => (a < b ? -1 : 1)));
  });

  test('a stray inch mark inside an unquoted field does not open a quote', () => {
    const d = read(`size,n,kind\n${'12,3,pipe 5" long\n'.repeat(5000)}1,1,other\n`);
    expect(d.dataset.count).toBe(5001);
  });
});

describe('a number is a decimal number, nothing else', () => {
  test.each([
    ['0x10', 'only decimal numbers'],
    ['0b101', 'only decimal numbers'],
    ['0o7', 'only decimal numbers'],
    ['-0X1F', 'only decimal numbers'],
    ['Infinity', 'only decimal numbers'],
    ['-Infinity', 'only decimal numbers'],
    ['NaN', 'only decimal numbers'],
    ['1_000', 'is not a number'],
    ['1e', 'is not a number'],
    ['.', 'is not a number'],
    ['\u00a01', 'is not a number'],
  ])('%j in a feature column is refused with file:line:column', (cell, why) => {
    const e = failure(`a,b,c\n1,2,x\n3,${JSON.stringify(cell)},y\n`);
    expect(e.where).toEqual({ file: 't.csv', line: 3, column: 2 });
    expect(e.message).toContain(why);
  });

  test('spaces around a number: trimmed in comma files, refused in tab files (where they are kept)', () => {
    expect(Array.from(read('a,b,c\n 1 , 2 ,x\n3,4,y\n').dataset.x)).toEqual([1, 2, 3, 4]);
    const e = failure('a\tb\tc\n1\t 2 \tx\n3\t4\ty\n', 't.tsv');
    expect(e.where).toEqual({ file: 't.tsv', line: 2, column: 2 });
    expect(e.message).toContain('" 2 " is not a number (spaces or line breaks around it)');
    expect(failure('a,b,c\n1,"2\n",x\n').message).toContain('is not a number (spaces or line breaks around it)');
  });

  test('every decimal form is read', () => {
    const d = read('a,b,c,d,e,f,g\n1.,.5,+2E+4,-0,1e-3,007,x\n0,0,0,0,0,0,y\n');
    expect(Array.from(d.dataset.x.subarray(0, 6))).toEqual([1, 0.5, 20000, -0, Math.fround(0.001), 7]);
  });
});

describe('numeric labels are one class exactly when they are one number', () => {
  test('labels that only float64 rounding would merge stay apart', () => {
    const d = read('x,y\n1,9007199254740993\n2,9007199254740992\n3,9007199254740993\n');
    expect(d.dataset.classNames).toEqual(['9007199254740992', '9007199254740993']);
    expect(Array.from(d.dataset.labels)).toEqual([1, 0, 1]);
  });

  test('labels beyond the double range stay apart and in order of value', () => {
    const d = read('x,y\n1,2e400\n2,1e400\n3,-1e400\n4,2E+400\n');
    expect(d.dataset.classNames).toEqual(['-1e400', '1e400', '2e400']);
    expect(Array.from(d.dataset.labels)).toEqual([2, 1, 0, 2]);
  });

  test('the same number written differently is one class', () => {
    const d = read('x,y\n1,1\n2,1.0\n3,10e-1\n4,2\n5,0.10e1\n');
    expect(d.dataset.classNames).toEqual(['1', '2']);
    expect(Array.from(d.dataset.labels)).toEqual([0, 0, 0, 1, 0]);
  });

  test('hexadecimal labels are text classes, not numbers', () => {
    const d = read('x,y\n1,0x10\n2,16\n');
    expect(d.dataset.classNames).toEqual(['0x10', '16']);
  });
});

describe('the preview is a bounded table', () => {
  test('a file of 100,000 columns previews 50 of them, the label among them, and says how many are hidden', () => {
    const width = 100_000;
    const header = [...Array.from({ length: width - 1 }, (_, j) => `f${j}`), 'label'].join(',');
    const row = (k: number): string => [...Array.from({ length: width - 1 }, (_, j) => String((j + k) % 7)), k % 2 ? 'odd' : 'even'].join(',');
    const d = read(`${header}\n${row(1)}\n${row(2)}\n`);
    expect(d.preview!.columns).toHaveLength(50);
    expect(d.preview!.columns.slice(0, 2)).toEqual(['f0', 'f1']);
    expect(d.preview!.columns[49]).toBe('label');
    expect(d.preview!.labelColumn).toBe(49);
    expect(d.preview!.rows.map((r) => r.length)).toEqual([50, 50]);
    expect(d.preview!.rows[0]![49]).toBe('odd');
    expect(d.warnings).toContain('t.csv: the preview shows 50 of 100,000 columns (99,950 hidden)');
  });

  test('the label column in the middle of a wide file keeps its place in the preview', () => {
    const cells = (k: number): string[] => Array.from({ length: 80 }, (_, j) => (j === 3 ? `c${k % 2}` : String(j + k)));
    const d = readDataFile({ name: 't.csv', bytes: text(`${cells(1).join(',')}\n${cells(2).join(',')}\n`) }, { labelColumn: 3 });
    expect(d.preview!.labelColumn).toBe(3);
    expect(d.preview!.rows[0]![3]).toBe('c1');
  });

  test('long cells are cut in the preview only', () => {
    const long = 'n'.repeat(1000);
    const d = read(`x,y\n1,${long}\n2,b\n`);
    expect(d.preview!.rows[0]![1]).toHaveLength(200);
    expect(d.dataset.classNames).toContain(long);
  });
});

describe('messages quote long names and values cut short', () => {
  test('a bad cell under a 10,000-character column name', () => {
    const name = 'n'.repeat(10_000);
    const e = failure(`${name},b,c\n1,2,x\noops,3,y\n`);
    expect(e.where).toEqual({ file: 't.csv', line: 3, column: 1 });
    expect(e.message).toBe(`t.csv:3:1: column "${'n'.repeat(60)}…": "oops" is not a number`);
  });
});
