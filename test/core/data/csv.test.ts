import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readDataFile, type LoadedData, type ReadDataOptions } from '../../../core/data/read-data.js';
import { StudioError } from '../../../core/errors.js';
import { DATA_LIMITS } from '../../../core/data/limits.js';
import { studioRefusal } from '../studio-failure.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (s: string | Uint8Array, options?: ReadDataOptions, name = 't.csv'): LoadedData =>
  readDataFile({ name, bytes: typeof s === 'string' ? text(s) : s }, options);

/** The StudioError a read throws (fails the test if it throws anything else or nothing). */
const failure = (s: string | Uint8Array, options?: ReadDataOptions, name = 't.csv'): StudioError =>
  studioRefusal(() => read(s, options, name));

const rows = (d: LoadedData): number[][] => {
  const out: number[][] = [];
  for (let i = 0; i < d.dataset.count; i++) {
    out.push(Array.from(d.dataset.x.subarray(i * d.dataset.features, (i + 1) * d.dataset.features)));
  }
  return out;
};

describe('CSV with a header (flowers.csv)', () => {
  const d = readDataFile({ name: 'flowers.csv', bytes: fixture('flowers.csv') });

  test('finds the header, the last column as label, and the numbers', () => {
    expect(d.format).toBe('csv');
    expect(d.header).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']);
    expect(d.labelColumn).toBe(4);
    expect(d.dataset.count).toBe(6);
    expect(d.dataset.features).toBe(4);
    expect(d.dataset.scale).toBe(1);
    expect(d.dataset.x).toBeInstanceOf(Float32Array);
    expect(rows(d)[0]).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(rows(d)[5]).toEqual([5.8, 2.7, 5.1, 1.9].map(Math.fround));
  });

  test('string labels become sorted classes; a quoted label keeps its comma', () => {
    expect(d.dataset.classNames).toEqual(['setosa', 'versicolor', 'virginica, wild']);
    expect(Array.from(d.dataset.labels)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(d.dataset.imageShape).toBeUndefined();
  });

  test('preview shows the columns and the first rows as text', () => {
    expect(d.preview?.columns).toEqual(d.header);
    expect(d.preview?.rows[0]).toEqual(['5.1', '3.5', '1.4', '0.2', 'setosa']);
    expect(d.preview?.rows[4]).toEqual(['6.3', '3.3', '6.0', '2.5', 'virginica, wild']);
    expect(d.warnings).toEqual([]);
  });

  test('the label column by name (any case), by index, from the end, or as digits', () => {
    const bytes = fixture('flowers.csv');
    for (const labelColumn of ['species', 'Species', 4, -1, '4']) {
      const r = readDataFile({ name: 'flowers.csv', bytes }, { labelColumn });
      expect(r.labelColumn).toBe(4);
      expect(r.dataset.classNames).toEqual(['setosa', 'versicolor', 'virginica, wild']);
    }
  });

  test('another column as label: the rest (text included) must be numeric', () => {
    const e = (() => {
      try {
        readDataFile({ name: 'flowers.csv', bytes: fixture('flowers.csv') }, { labelColumn: 'petal_width' });
      } catch (err) {
        return err as StudioError;
      }
      throw new Error('expected an error');
    })();
    expect(e.code).toBe('NOT_A_NUMBER');
    expect(e.message).toBe('flowers.csv:2:5: column "species": "setosa" is not a number');
  });
});

describe('TSV without a header (numbers.tsv, CRLF)', () => {
  const d = readDataFile({ name: 'numbers.tsv', bytes: fixture('numbers.tsv') });

  test('tab is sniffed and the format is tsv; no header', () => {
    expect(d.format).toBe('tsv');
    expect(d.header).toBeNull();
    expect(d.preview?.columns).toEqual(['column 1', 'column 2', 'column 3', 'column 4']);
    expect(rows(d)).toEqual([
      [0.5, 1, -2],
      [1.5, 2, -1],
      [2.5, 3, 0],
      [3.5, 4, 10],
    ]);
  });

  test('numeric labels sort as numbers: 1 < 2 < 10', () => {
    expect(d.dataset.classNames).toEqual(['1', '2', '10']);
    expect(Array.from(d.dataset.labels)).toEqual([2, 1, 2, 0]);
  });

  test('an explicit delimiter overrides the sniffing', () => {
    const r = readDataFile({ name: 'numbers.tsv', bytes: fixture('numbers.tsv') }, { delimiter: 'tab' });
    expect(r.dataset.count).toBe(4);
    const e = failure(fixture('numbers.tsv'), { delimiter: ',' }, 'numbers.tsv');
    expect(e.message).toMatch(/^numbers\.tsv:1: only one column/);
  });
});

describe('semicolons and decimal commas', () => {
  test('decimal-comma.csv reads 1,5 as 1.5', () => {
    const d = readDataFile({ name: 'decimal-comma.csv', bytes: fixture('decimal-comma.csv') });
    expect(d.header).toEqual(['a', 'b', 'label']);
    expect(rows(d)).toEqual([
      [1.5, 2],
      [0.25, -3.5],
      [4, 5.75],
    ]);
    expect(d.dataset.classNames).toEqual(['no', 'yes']);
  });
});

describe('header detection', () => {
  test('an all-numeric first row is data', () => {
    const d = read('1,2,0\n3,4,1\n');
    expect(d.header).toBeNull();
    expect(d.dataset.count).toBe(2);
  });

  test('names above numbers are a header, even when the labels are text', () => {
    const d = read('x,y,kind\n1,2,a\n3,4,b\n');
    expect(d.header).toEqual(['x', 'y', 'kind']);
    expect(d.dataset.count).toBe(2);
  });

  test('text labels in a headerless file are not taken for a header', () => {
    const d = read('1,2,a\n3,4,b\n');
    expect(d.header).toBeNull();
    expect(d.dataset.count).toBe(2);
  });

  test('a first row mixing numbers and names is taken as a header, with a warning', () => {
    const d = read('0,1,label\n5,6,0\n7,8,1\n');
    expect(d.header).toEqual(['0', '1', 'label']);
    expect(d.warnings).toEqual([
      't.csv: the first row is taken as column names although some are numbers (0, 1, label); if it is data, say the file has no header',
    ]);
    expect(read('x,y,label\n5,6,a\n7,9,b\n').warnings).toEqual([]);
  });

  test('numeric names above text labels cannot be told from data: a lone first label is pointed out', () => {
    const d = read('0,1,label\n5,6,a\n7,8,a\n');
    expect(d.header).toBeNull();
    expect(d.warnings).toEqual([
      't.csv: the first row\'s label "label" occurs nowhere else; if that row holds column names, say the file has a header',
    ]);
    expect(read('0,1,label\n5,6,a\n7,8,a\n', { hasHeader: true }).dataset.classNames).toEqual(['a']);
  });

  test('hasHeader true and false are obeyed', () => {
    expect(read('1,2,0\n3,4,1\n', { hasHeader: true }).header).toEqual(['1', '2', '0']);
    expect(failure('x,y,kind\n1,2,a\n', { hasHeader: false }).message).toBe('t.csv:1:1: column 1: "x" is not a number');
  });

  test("scikit-learn's summary row gives the class names", () => {
    const d = read('4,2,red,green\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n');
    expect(d.header).toBeNull();
    expect(d.dataset.count).toBe(4);
    expect(d.dataset.classNames).toEqual(['red', 'green']);
    expect(Array.from(d.dataset.labels)).toEqual([0, 1, 1, 0]);
    expect(d.warnings[0]).toContain('scikit-learn summary (4 samples, 2 features, classes red, green)');
  });

  test('a scikit-learn summary whose labels do not index its names is an error', () => {
    expect(failure('2,2,red,green\n1,2,0\n3,4,5\n').message).toBe(
      't.csv: the first row names 2 classes, but the label 5 is not one of 0..1',
    );
  });
});

describe('labels', () => {
  test('1 and 1.0 are one class; non-integer numeric labels warn', () => {
    const d = read('1,1\n2,1.0\n3,2.5\n');
    expect(d.dataset.classNames).toEqual(['1', '2.5']);
    expect(Array.from(d.dataset.labels)).toEqual([0, 0, 1]);
    expect(d.warnings.join('\n')).toContain('non-integer values (e.g. 2.5)');
  });

  test('text labels sort naturally: class2 before class10', () => {
    const d = read('1,class10\n2,class2\n3,Class1\n');
    expect(d.dataset.classNames).toEqual(['Class1', 'class2', 'class10']);
  });

  test('labelColumn null: every column is a feature and there are no classes', () => {
    const d = read('1,2,3\n4,5,6\n', { labelColumn: null });
    expect(d.labelColumn).toBeNull();
    expect(d.dataset.features).toBe(3);
    expect(d.dataset.classNames).toEqual([]);
    expect(Array.from(d.dataset.labels)).toEqual([-1, -1]);
  });

  test('the first column as label', () => {
    const d = read('kind,x,y\na,1,2\nb,3,4\n', { labelColumn: 0 });
    expect(rows(d)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(d.dataset.classNames).toEqual(['a', 'b']);
  });

  test('more distinct labels than a classifier takes is refused', () => {
    const lines = Array.from({ length: DATA_LIMITS.maxClasses + 1 }, (_, i) => `${i},c${i}`).join('\n');
    const e = failure(lines);
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toMatch(/has 1,001 distinct values; a classifier takes at most 1,000 classes/);
  });
});

describe('bad cells are reported as file:line:column', () => {
  test('a word among numbers, naming the column', () => {
    const e = failure('a,b,c\n1,2,x\n3,oops,y\n');
    expect(e.code).toBe('NOT_A_NUMBER');
    expect(e.where).toEqual({ file: 't.csv', line: 3, column: 2 });
    expect(e.message).toBe('t.csv:3:2: column "b": "oops" is not a number');
  });

  test('an empty cell is a missing value, not a zero', () => {
    expect(failure('1,,0\n').message).toBe('t.csv:1:2: column 2: empty cell (missing value)');
    expect(failure('1,  ,0\n').message).toBe('t.csv:1:2: column 2: empty cell (missing value)');
  });

  test('Infinity, NaN and numbers beyond float32 are refused', () => {
    expect(failure('1,Infinity,0\n').message).toBe(
      't.csv:1:2: column 2: "Infinity" is not a number (only decimal numbers such as 16, -0.5 or 1e-3 are read)',
    );
    expect(failure('1,1e400,0\n').message).toBe('t.csv:1:2: column 2: "1e400" is outside the float32 range');
    expect(failure('1,1e39,0\n').message).toBe('t.csv:1:2: column 2: "1e39" is outside the float32 range');
    expect(failure('1,NaN,0\n').message).toBe(
      't.csv:1:2: column 2: "NaN" is not a number (only decimal numbers such as 16, -0.5 or 1e-3 are read)',
    );
  });

  test('a decimal comma in a comma-separated file gets a hint', () => {
    expect(failure('a,b,c\n1,"2,5",0\n').message).toBe(
      't.csv:2:2: column "b": "2,5" is not a number (decimal comma? use a point, or ; as the delimiter)',
    );
  });

  test('line numbers count blank lines and quoted line breaks', () => {
    expect(failure('1,2,a\n\n\n3,x,b\n').message).toBe('t.csv:4:2: column 2: "x" is not a number');
    expect(failure('a,b,c\n1,2,"multi\nline"\n3,x,z\n').message).toBe('t.csv:4:2: column "b": "x" is not a number');
    expect(failure('a,b,c\n1,2,"multi\nline"\n3,"x",z\n').where.line).toBe(4);
  });

  test('an empty label', () => {
    expect(failure('1,2,a\n3,4,\n').message).toBe('t.csv:2:3: column 3: empty label');
  });
});

describe('malformed files', () => {
  test('empty and blank files', () => {
    for (const s of ['', '   \n\r\n\t\n']) {
      const e = failure(s);
      expect(e.code).toBe('BAD_DATA');
      expect(e.message).toBe('t.csv: the file is empty');
    }
  });

  test('a header without data rows', () => {
    expect(failure('a,b,c\n').message).toBe('t.csv: the file has a header row but no data rows');
  });

  test('ragged rows name the line', () => {
    expect(failure('1,2,0\n1,2\n').message).toBe('t.csv:2: row has 2 fields, expected 3 like the first row');
    expect(failure('a,b,c\n1,2,0\n1,2,3,4\n').message).toBe(
      't.csv:3: row has 4 fields, expected 3 like the first data row',
    );
    expect(failure('a,b\n1,2,0\n').message).toBe('t.csv:2: the header has 2 columns but the first data row has 3 fields');
  });

  test('an unclosed quote is reported where it opens, not where the file ends', () => {
    const opened = 't.csv:2:2: a quoted field opens here and its closing quote never comes (the file ends inside it)';
    const e = failure('1,2,0\n3,"4,1\n5,6,0\n');
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toBe(opened);
    // 200 lines after it, CRLF line ends, a doubled quote closed before it on its line, a quote inside an unquoted field.
    const rows = Array.from({ length: 200 }, (_, i) => `${i},5,6,0`);
    expect(failure(['a,b,c,d', '1,"x""y",2,0', '2,4",5,"6,0', ...rows].join('\r\n')).message).toBe(
      't.csv:3:4: a quoted field opens here and its closing quote never comes (the file ends inside it)',
    );
    // After blank lines, with semicolons.
    expect(failure('a;b;c\n1;2;0\n\n\n3; "4;1\n5;6;0\n').message).toBe(
      't.csv:5:2: a quoted field opens here and its closing quote never comes (the file ends inside it)',
    );
  });

  test('text after a closing quote names the line and field', () => {
    const e = failure('a,b,c\n1,2,0\n3,"4"x,1\n');
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toBe('t.csv:3:2: text follows the closing quote of a quoted field; a quote inside a quoted field is written twice ("")');
  });

  test('a single column', () => {
    expect(failure('1\n2\n3\n').message).toBe(
      't.csv:1: only one column (no comma, tab or semicolon found between values): a data file needs feature columns and a label column',
    );
  });

  test('binary bytes that are neither text nor IDX', () => {
    const e = failure(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 1, 2]), {}, 'archive.zip');
    expect(e.message).toBe('archive.zip: this is a binary file, not CSV/TSV text (and not an IDX file: those start with 00 00 08)');
  });

  test('an unknown label column lists the columns', () => {
    const e = failure('x,y,kind\n1,2,a\n', { labelColumn: 'knd' });
    expect(e.code).toBe('BAD_USAGE');
    expect(e.message).toBe('t.csv: field label column: no column named "knd"; the columns are "x", "y", "kind"');
  });

  test('a label column name two columns share is refused, not guessed', () => {
    const e = failure('x,kind,Kind,kind\n1,a,b,c\n', { labelColumn: 'kind' });
    expect(e.code).toBe('BAD_USAGE');
    expect(e.message).toBe('t.csv: field label column: 2 columns are named "kind" (columns 1 and 3, counting from 0); give the column\'s index');
    // An exact match settles it before case is ignored; ignoring case, two are again ambiguous.
    expect(failure('x,kind,Kind,kind\n1,a,b,c\n', { labelColumn: 'KIND' }).message).toContain('3 columns are named "KIND" (columns 1, 2 and 3, counting from 0)');
  });

  test('a label column index out of range', () => {
    const e = failure('1,2,0\n', { labelColumn: 3 });
    expect(e.code).toBe('BAD_USAGE');
    expect(e.message).toContain('column 3 does not exist: the file has 3 columns (0..2, or -1 for the last)');
  });

  test('a label column by name when there is no header', () => {
    expect(failure('1,2,0\n', { labelColumn: 'species' }).message).toContain(
      'the file has no header row, so there is no column named "species"',
    );
  });

  test('a labels file with a CSV is a usage error', () => {
    expect(() =>
      readDataFile({ name: 'a.csv', bytes: text('1,2,0\n'), labels: { name: 'l.idx', bytes: new Uint8Array(9) } }),
    ).toThrow(/a separate labels file \(l\.idx\) only goes with IDX images/);
  });

  test('a row with more fields than any network takes is refused before parsing', () => {
    const wide = '0,'.repeat(DATA_LIMITS.maxFeatures + 1) + '0\n';
    const e = failure(wide);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('t.csv:1: a row has more than 1,048,577 fields; the limit is 1,048,576 features and a label');
  });
});

describe('encodings and gzip', () => {
  test('UTF-8 BOM is dropped from the first name', () => {
    const d = read(new Uint8Array([0xef, 0xbb, 0xbf, ...text('x,y,kind\n1,2,a\n')]));
    expect(d.header).toEqual(['x', 'y', 'kind']);
  });

  test('UTF-16 (Excel "Unicode text") is read', () => {
    const s = 'x\ty\tkind\r\n1\t2\tä\r\n';
    const utf16 = new Uint8Array(2 + s.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) utf16[2 + 2 * i] = s.charCodeAt(i);
    const d = read(utf16, {}, 'excel.txt');
    expect(d.format).toBe('tsv');
    expect(d.dataset.classNames).toEqual(['ä']);
  });

  test('invalid UTF-8 still loads, with a warning', () => {
    const d = read(new Uint8Array([...text('x,y,k\n1,2,'), 0xe9, 0x0a]));
    expect(d.dataset.count).toBe(1);
    expect(d.warnings.join('\n')).toContain('not valid UTF-8');
  });

  test('blank rows are skipped and counted; constant columns are pointed out', () => {
    const d = read('1,5,a\n  \n\n2,5,b\n,,\n');
    expect(d.dataset.count).toBe(2);
    expect(d.warnings).toContain('t.csv: skipped 1 row with only empty cells');
    expect(d.warnings).toContain('t.csv: 1 feature column is constant (no information): column 2');
  });

  test('a gzip-compressed CSV is recognized by its bytes, not its name', () => {
    const d = readDataFile({ name: 'flowers.dat', bytes: new Uint8Array(gzipSync(fixture('flowers.csv'))) });
    expect(d.format).toBe('csv');
    expect(d.dataset.count).toBe(6);
    expect(d.dataset.classNames).toEqual(['setosa', 'versicolor', 'virginica, wild']);
  });
});

describe('constant-column warnings', () => {
  test('a single row (one sample to predict) is not called constant', () => {
    const one = readDataFile({ name: 'one.csv', bytes: new TextEncoder().encode('a,b,c\n1,2,3\n') }, { labelColumn: null });
    expect(one.warnings).toEqual([]);
    const two = readDataFile({ name: 'two.csv', bytes: new TextEncoder().encode('a,b,c\n1,2,3\n1,2,3\n') }, { labelColumn: null });
    expect(two.warnings).toEqual(['two.csv: every feature column is constant; nothing can be learned from them']);
  });
});

describe('a delimiter at the end of every line (spreadsheet exports)', () => {
  test('the empty unnamed last column is left out, with a warning', () => {
    const d = read('a,b,label,\n1,2,x,\n3,4,y,\n');
    expect(d.header).toEqual(['a', 'b', 'label']);
    expect(d.labelColumn).toBe(2);
    expect(rows(d)).toEqual([[1, 2], [3, 4]]);
    expect(d.dataset.classNames).toEqual(['x', 'y']);
    expect(d.warnings).toEqual(['t.csv: every row ends with a delimiter; the empty last column is left out']);
    expect(d.preview!.rows).toEqual([['1', '2', 'x'], ['3', '4', 'y']]);
    expect(rows(read('1,2,0,\n3,4,1,\n'))).toEqual([[1, 2], [3, 4]]);
  });

  test('a later row with a value there is an error at its place', () => {
    const head = Array.from({ length: 14 }, (_, i) => `${i},${i % 2},`).join('\n');
    expect(failure(`${head}\n5,1,7\n`).message).toBe(
      't.csv:15:3: a value after the last column ("7"); the rows above end with an empty field',
    );
  });

  test('a named last column that is empty is still the label column (and an error)', () => {
    expect(failure('a,b,label\n1,2,\n3,4,\n').message).toMatch(/^t\.csv:2:3: column "label": empty label/);
  });
});
