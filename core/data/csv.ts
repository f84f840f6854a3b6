// The browser build of csv-parse: `csv-parse/sync` uses Node's global `Buffer`
// and fails with "Buffer is not defined" in a Web Worker; this one carries its
// own Buffer and runs unchanged in Node, a Worker and the utility process.
import { parse, CsvError } from 'csv-parse/browser/esm/sync';
import { csvParseError } from './csv-errors.js';
import { StudioError, errorMessage, type ErrorCode } from '../errors.js';
import type { Dataset } from './dataset.js';
import { DATA_LIMITS, checkBytes, checkShape, clip, formatCount } from './limits.js';
import { scanCsvText, sniffDelimiter } from './csv-scan.js';
import { assignClasses } from './csv-classes.js';
import { DECIMAL, DECIMAL_COMMA, exactDecimal, isIntegerDecimal, parseDecimal } from './csv-number.js';

/**
 * CSV and TSV files: one sample per row, numeric feature columns, one label
 * column (numbers or strings). The text is parsed by csv-parse (quotes, embedded
 * delimiters and newlines, CRLF); this module decides what the rows mean and
 * reports every cell it cannot use as `file:line:column: ...`, where column is
 * the 1-based field number.
 *
 * Rows are converted to float32 as the parser emits them, so the strings of a
 * 100 MB file are never all alive at once.
 */

export interface CsvOptions {
  /**
   * Which column holds the class label: a header name, a 0-based index (negative
   * counts from the end), or a string of digits when the file has no header.
   * Default: the last column. `null`: the file has no labels (prediction input).
   */
  labelColumn?: string | number | null;
  /** Whether the first row names the columns; 'auto' (default) decides from the cells. */
  hasHeader?: boolean | 'auto';
  /** Field separator; default: sniffed among comma, tab and semicolon. `tab` and `\t` mean a tab. */
  delimiter?: string;
}

export interface CsvResult {
  dataset: Dataset;
  format: 'csv' | 'tsv';
  header: string[] | null;
  labelColumn: number | null;
  /** The first rows, in at most PREVIEW_COLUMNS columns (the label column always among them). */
  preview: { columns: string[]; rows: string[][]; labelColumn: number };
  warnings: string[];
}

const PREVIEW_ROWS = 10;
/** A table of more columns than this is neither readable nor cheap to send to the renderer. */
export const PREVIEW_COLUMNS = 50;
/** Characters of one preview cell. */
const PREVIEW_CELL = 200;
/** Rows parsed up front to decide on the header, the width and the label column. */
const HEAD_ROWS = 12;
const FLOAT32_MAX = 3.4028234663852886e38;

export function readCsv(input: Uint8Array, file: string, options: CsvOptions = {}): CsvResult {
  const fail = (msg: string, line?: number, column?: number, code: ErrorCode = 'BAD_DATA'): StudioError =>
    new StudioError(code, msg, { file, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) });
  const warnings: string[] = [];

  checkBytes(input.length, DATA_LIMITS.maxTextBytes, 'CSV/TSV text', file);
  const bytes = toUtf8(input, file, warnings);
  if (isBlank(bytes)) throw fail('the file is empty');

  const delimiter = options.delimiter === undefined ? sniffDelimiter(bytes) : checkDelimiter(options.delimiter);
  const format = delimiter === '\t' ? 'tsv' : 'csv';
  const scan = scanCsvText(bytes, delimiter, file);
  const parseOptions = {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // Spaces around a quoted field ("a", "b") are common; with tab as delimiter trimming could eat fields.
    trim: delimiter !== '\t' && delimiter !== ' ',
    // The scan above measured fields and lines; this is the parser's own guard on a record.
    max_record_size: DATA_LIMITS.maxLineBytes,
  };

  // Pass 1: the first rows decide the header, the width and the label column.
  const head = parseCsv(bytes, { ...parseOptions, to: HEAD_ROWS }, file).filter((r) => !isBlankRow(r.cells));
  if (head.length === 0) throw fail('the file has no rows');
  const sklearn = options.hasHeader === false ? null : sklearnHeader(head);
  const guess = options.hasHeader === 'auto' || options.hasHeader === undefined;
  const hasHeader = sklearn !== null || (guess ? looksLikeHeader(head) : options.hasHeader === true);
  if (guess && hasHeader && sklearn === null && head[0]!.cells.some(isNumeric)) {
    // Numeric column names happen (pandas writes 0,1,2,...), but so does a data row with one bad cell.
    warnings.push(
      `${file}: the first row is taken as column names although some are numbers ` +
        `(${head[0]!.cells.slice(0, 6).join(', ')}${head[0]!.cells.length > 6 ? ', ...' : ''}); if it is data, say the file has no header`,
    );
  }
  const firstData = head[hasHeader ? 1 : 0];
  if (firstData === undefined) throw fail('the file has a header row but no data rows');
  const fields = firstData.cells.length;
  // Spreadsheets often end every line with a delimiter ("1,2,x,"): an unnamed column
  // that is empty in every row read so far is not data, and is left out.
  const trailingEmpty =
    fields >= 3 && head.every((r) => r.cells.length === fields && r.cells[fields - 1]!.trim() === '');
  const width = trailingEmpty ? fields - 1 : fields;
  if (trailingEmpty) warnings.push(`${file}: every row ends with a delimiter; the empty last column is left out`);
  let header: string[] | null = null;
  if (hasHeader && sklearn === null) {
    header = head[0]!.cells.map((c, j) => c.trim() || `column ${j + 1}`);
    if (header.length !== fields) {
      throw fail(`the header has ${header.length} columns but the first data row has ${fields} fields`, firstData.line);
    }
    if (trailingEmpty) header.pop();
  }
  if (width < 2 && options.labelColumn !== null) {
    throw fail(
      `only one column${delimiter === ',' ? ' (no comma, tab or semicolon found between values)' : ''}: ` +
        'a data file needs feature columns and a label column',
      firstData.line,
    );
  }
  const labelColumn = resolveLabelColumn(options.labelColumn, header, width, file);
  const columnName = (j: number): string => (header ? `column "${clip(header[j]!)}"` : `column ${j + 1}`);
  const features = labelColumn === null ? width : width - 1;
  // Upper bound on the rows: every record ends at a line break (or the end).
  checkShape(scan.lines, features, file);

  // Pass 2: every row, converted as it is parsed.
  const x = new Float32Array(scan.lines * features);
  const rawLabels: string[] = [];
  const labelIds = new Map<string, number>();
  const rowLabel = new Int32Array(labelColumn === null ? 0 : scan.lines);
  const previewRows: string[][] = [];
  const shown = previewColumns(width, labelColumn);
  if (shown.length < width) {
    warnings.push(`${file}: the preview shows ${shown.length} of ${formatCount(width)} columns (${formatCount(width - shown.length)} hidden)`);
  }
  const min = new Float64Array(features).fill(Infinity);
  const max = new Float64Array(features).fill(-Infinity);
  let rows = 0;
  let blankRows = 0;
  let seenFirst = false;
  let numericLabels = true;
  let integerLabels = true;

  parseCsv(bytes, parseOptions, file, (cells, endLine) => {
    if (isBlankRow(cells)) {
      blankRows++;
      return;
    }
    if (!seenFirst) {
      seenFirst = true;
      if (hasHeader) return;
    }
    if (cells.length !== fields) {
      throw fail(
        `row has ${cells.length} fields, expected ${fields} like the first ${hasHeader ? 'data ' : ''}row`,
        startLine(cells, endLine),
      );
    }
    if (trailingEmpty && cells[width]!.trim() !== '') {
      throw fail(
        `a value after the last column (${JSON.stringify(cells[width]!.slice(0, 40))}); the rows above end with an empty field`,
        startLine(cells, endLine),
        fields,
      );
    }
    if (previewRows.length < PREVIEW_ROWS) previewRows.push(shown.map((j) => cells[j]!.slice(0, PREVIEW_CELL)));
    let at = rows * features;
    for (let j = 0; j < width; j++) {
      const cell = cells[j]!;
      if (j === labelColumn) {
        const label = cell.trim();
        if (label === '') throw fail(`${columnName(j)}: empty label`, startLine(cells, endLine), j + 1);
        let id = labelIds.get(label);
        if (id === undefined) {
          id = labelIds.size;
          labelIds.set(label, id);
          rawLabels.push(label);
          if (numericLabels && !DECIMAL.test(label)) numericLabels = false;
          if (integerLabels && !(numericLabels && isIntegerDecimal(exactDecimal(label)))) integerLabels = false;
        }
        rowLabel[rows] = id;
        continue;
      }
      const v = toNumber(cell, delimiter);
      if (!(Math.abs(v) <= FLOAT32_MAX)) {
        // Text in a number column has its own code: callers offer that column as the label by code, not by wording.
        const code = Number.isNaN(v) && cell.trim() !== '' ? 'NOT_A_NUMBER' : 'BAD_DATA';
        throw fail(`${columnName(j)}: ${describeBadCell(cell, v)}`, startLine(cells, endLine), j + 1, code);
      }
      const f = at - rows * features;
      if (v < min[f]!) min[f] = v;
      if (v > max[f]!) max[f] = v;
      x[at++] = v;
    }
    rows++;
  });

  if (rows === 0) throw fail(hasHeader ? 'the file has a header row but no data rows' : 'the file has no data rows');
  if (blankRows > 0) {
    warnings.push(`${file}: skipped ${formatCount(blankRows)} row${blankRows === 1 ? '' : 's'} with only empty cells`);
  }

  let labels: Int32Array;
  let classNames: string[];
  if (labelColumn === null) {
    labels = new Int32Array(rows).fill(-1);
    classNames = [];
  } else {
    ({ labels, classNames } = assignClasses(rawLabels, rowLabel.subarray(0, rows), numericLabels, file, columnName(labelColumn)));
    if (sklearn !== null) classNames = sklearnClassNames(sklearn, rawLabels, labels, classNames, file);
    const first = rawLabels[rowLabel[0]!]!;
    if (!hasHeader && rows > 2 && labels.filter((l) => l === labels[0]).length === 1 && /[a-z]/i.test(first)) {
      // The usual sign of column names that are numbers above a text label column.
      warnings.push(
        `${file}: the first row's label "${clip(first)}" occurs nowhere else; if that row holds column names, say the file has a header`,
      );
    }
    if (numericLabels && !integerLabels) {
      warnings.push(
        `${file}: the label ${columnName(labelColumn)} has non-integer values (e.g. ${rawLabels.find((l) => !isIntegerDecimal(exactDecimal(l)))}); ` +
          `each of its ${classNames.length} distinct values is treated as a class`,
      );
    }
  }
  if (sklearn !== null) {
    warnings.push(
      `${file}: the first row is a scikit-learn summary (${sklearn.samples} samples, ${sklearn.features} features` +
        `${sklearn.names.length > 0 ? `, classes ${sklearn.names.join(', ')}` : ''}), not data`,
    );
    if (sklearn.samples !== rows) {
      warnings.push(`${file}: the first row announces ${sklearn.samples} samples but the file has ${rows}`);
    }
  }
  const constant: string[] = [];
  for (let f = 0, j = 0; j < width; j++) {
    if (j === labelColumn) continue;
    if (min[f] === max[f]) constant.push(header ? header[j]! : `column ${j + 1}`);
    f++;
  }
  // With one row every column is "constant", which says nothing (a single sample to predict).
  if (rows < 2) constant.length = 0;
  if (constant.length > 0 && constant.length < features) {
    warnings.push(
      `${file}: ${constant.length} feature column${constant.length === 1 ? ' is' : 's are'} constant (no information): ` +
        `${constant.slice(0, 8).join(', ')}${constant.length > 8 ? ', ...' : ''}`,
    );
  } else if (constant.length === features) {
    warnings.push(`${file}: every feature column is constant; nothing can be learned from them`);
  }

  const used = rows * features;
  const dataset: Dataset = {
    count: rows,
    features,
    x: used === x.length ? x : x.slice(0, used),
    scale: 1,
    labels,
    classNames,
  };
  return {
    dataset,
    format,
    header,
    labelColumn,
    preview: {
      columns: shown.map((j) => (header ? header[j]!.slice(0, PREVIEW_CELL) : `column ${j + 1}`)),
      rows: previewRows,
      labelColumn: labelColumn === null ? -1 : shown.indexOf(labelColumn),
    },
    warnings,
  };
}

/** The columns a preview shows: the first ones, and the label column wherever it is. */
function previewColumns(width: number, labelColumn: number | null): number[] {
  if (width <= PREVIEW_COLUMNS) return Array.from({ length: width }, (_, j) => j);
  const first = Array.from({ length: PREVIEW_COLUMNS - 1 }, (_, j) => j);
  if (labelColumn === null) return [...first, PREVIEW_COLUMNS - 1];
  return labelColumn < PREVIEW_COLUMNS - 1 ? [...first, PREVIEW_COLUMNS - 1] : [...first, labelColumn];
}

// ---------------------------------------------------------------- text and bytes

/** UTF-16 (Excel's "Unicode text") becomes UTF-8; invalid UTF-8 is read with a warning. */
function toUtf8(bytes: Uint8Array, file: string, warnings: string[]): Uint8Array {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const text = new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2));
    return new TextEncoder().encode(text);
  }
  let body = bytes;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) body = bytes.subarray(3);
  const probe = body.subarray(0, 65536);
  if (probe.includes(0)) {
    throw new StudioError(
      'BAD_DATA',
      'this is a binary file, not CSV/TSV text (and not an IDX file: those start with 00 00 08)',
      { file },
    );
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    warnings.push(`${file}: the text is not valid UTF-8; names with accents may show as \uFFFD (save the file as UTF-8)`);
  }
  return body;
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}

function checkDelimiter(d: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', space: ' ' };
  const delimiter = named[d.toLowerCase()] ?? d;
  if (delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    throw new StudioError('BAD_USAGE', `delimiter ${JSON.stringify(d)} cannot separate fields`, { field: 'delimiter' });
  }
  return delimiter;
}

// ---------------------------------------------------------------- parsing

interface HeadRow {
  cells: string[];
  line: number;
}

type ParseOptions = {
  delimiter: string; relax_column_count: boolean; relax_quotes: boolean; skip_empty_lines: boolean; trim: boolean;
  max_record_size: number; to?: number;
};

function parseCsv(bytes: Uint8Array, options: ParseOptions, file: string): HeadRow[];
function parseCsv(bytes: Uint8Array, options: ParseOptions, file: string, onRow: (cells: string[], endLine: number) => void): void;
function parseCsv(
  bytes: Uint8Array,
  options: ParseOptions,
  file: string,
  onRow?: (cells: string[], endLine: number) => void,
): HeadRow[] | void {
  const rows: HeadRow[] = [];
  let lastRecordEndLine = 0;
  try {
    parse(bytes, {
      ...options,
      on_record: (record: string[], context: { lines: number }) => {
        lastRecordEndLine = context.lines;
        if (onRow) onRow(record, context.lines);
        else rows.push({ cells: record, line: startLine(record, context.lines) });
        return null; // keep nothing in the parser
      },
    });
  } catch (e) {
    if (e instanceof StudioError) throw e;
    if (e instanceof CsvError) {
      throw csvParseError(e, { file, bytes, delimiter: options.delimiter, lastRecordEndLine, maxRecordSize: options.max_record_size });
    }
    throw new StudioError('BAD_DATA', `cannot parse the text: ${errorMessage(e)}`, { file });
  }
  if (!onRow) return rows;
}

/** csv-parse reports the line a record ends on; a quoted field may have spanned lines. */
function startLine(cells: string[], endLine: number): number {
  let breaks = 0;
  for (const c of cells) {
    for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) breaks++;
  }
  return endLine - breaks;
}

function isBlankRow(cells: string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

function isNumeric(cell: string): boolean {
  return Number.isFinite(toNumber(cell, ';'));
}

/** The cell as a number, NaN when it is not a decimal number (the rule is in csv-number.ts). */
function toNumber(cell: string, delimiter: string): number {
  return parseDecimal(cell, delimiter);
}

function describeBadCell(cell: string, v: number): string {
  if (cell.trim() === '') return 'empty cell (missing value)';
  const shown = cell.length > 40 ? `${JSON.stringify(cell.slice(0, 40))}...` : JSON.stringify(cell);
  if (Number.isNaN(v)) {
    if (DECIMAL_COMMA.test(cell.trim())) return `${shown} is not a number (decimal comma? use a point, or ; as the delimiter)`;
    if (/^[+-]?0[xbo]/i.test(cell.trim()) || /^[+-]?(infinity|nan)$/i.test(cell.trim())) {
      return `${shown} is not a number (only decimal numbers such as 16, -0.5 or 1e-3 are read)`;
    }
    if (DECIMAL.test(cell.trim())) return `${shown} is not a number (spaces or line breaks around it)`;
    return `${shown} is not a number`;
  }
  return `${shown} is outside the float32 range`;
}

// ---------------------------------------------------------------- header and label column

/**
 * A first row is a header when some column is text there and a number in the
 * next row (`sepal_length` above `5.1`). A file of only text columns has no
 * usable features anyway and fails on its first cell either way.
 */
function looksLikeHeader(head: HeadRow[]): boolean {
  const [first, second] = head;
  if (!first) return false;
  if (!second) return first.cells.every((c) => !isNumeric(c));
  return first.cells.some((c, j) => !isNumeric(c) && second.cells[j] !== undefined && isNumeric(second.cells[j]!));
}

interface SklearnHeader {
  samples: number;
  features: number;
  names: string[];
}

/**
 * scikit-learn's bundled CSVs (iris, wine, breast_cancer) start with
 * `n_samples,n_features,class names...` instead of column names:
 * `150,4,setosa,versicolor,virginica`. Recognized when the numbers fit the rows.
 */
function sklearnHeader(head: HeadRow[]): SklearnHeader | null {
  const [first, second] = head;
  if (!first || !second || first.cells.length < 3) return null;
  const [n, f, ...names] = first.cells.map((c) => c.trim());
  if (!/^\d+$/.test(n!) || !/^\d+$/.test(f!)) return null;
  if (Number(f) + 1 !== second.cells.length) return null;
  if (names.some((s) => s === '' || isNumeric(s))) return null;
  if (head.slice(1).some((r) => r.cells.length !== second.cells.length || !r.cells.every(isNumeric))) return null;
  return { samples: Number(n), features: Number(f), names };
}

function sklearnClassNames(
  sk: SklearnHeader,
  rawLabels: string[],
  labels: Int32Array,
  classNames: string[],
  file: string,
): string[] {
  // Labels are 0..k-1 indexing the names; anything else means the names do not apply.
  const values = classNames.map(Number);
  if (!values.every((v) => Number.isInteger(v) && v >= 0 && v < sk.names.length)) {
    const bad = rawLabels.find((l) => !(Number.isInteger(Number(l)) && Number(l) >= 0 && Number(l) < sk.names.length));
    throw new StudioError(
      'BAD_DATA',
      `the first row names ${sk.names.length} classes, but the label ${clip(bad ?? '')} is not one of 0..${sk.names.length - 1}`,
      { file },
    );
  }
  // Re-index so class i is name i even if some class has no rows.
  for (let i = 0; i < labels.length; i++) labels[i] = values[labels[i]!]!;
  return sk.names;
}

function resolveLabelColumn(
  choice: string | number | null | undefined,
  header: string[] | null,
  width: number,
  file: string,
): number | null {
  if (choice === null) return null;
  if (choice === undefined) return width - 1;
  const usage = (msg: string): StudioError => new StudioError('BAD_USAGE', msg, { file, field: 'label column' });
  let index: number;
  if (typeof choice === 'string') {
    const name = choice.trim();
    const byName = header ? columnsNamed(header, name) : [];
    if (byName.length > 1) {
      throw usage(`${byName.length} columns are named "${name}" (columns ${byName.slice(0, -1).join(', ')} and ${byName.at(-1)!}, counting from 0); give the column's index`);
    }
    if (byName.length === 1) return byName[0]!;
    if (!/^-?\d+$/.test(name)) {
      if (!header) throw usage(`the file has no header row, so there is no column named "${name}"; give the column's index`);
      const list = header.slice(0, 12).map((h) => `"${h}"`).join(', ');
      throw usage(`no column named "${name}"; the columns are ${list}${header.length > 12 ? ', ...' : ''}`);
    }
    index = Number(name);
  } else {
    index = choice;
  }
  if (!Number.isInteger(index) || index < -width || index >= width) {
    throw usage(`column ${index} does not exist: the file has ${width} columns (0..${width - 1}, or -1 for the last)`);
  }
  return index < 0 ? width + index : index;
}

/** Indices of the columns named `name`: exact matches, else matches ignoring case. */
function columnsNamed(header: string[], name: string): number[] {
  const indicesWhere = (same: (h: string) => boolean): number[] => header.flatMap((h, i) => (same(h) ? [i] : []));
  const exact = indicesWhere((h) => h === name);
  if (exact.length > 0) return exact;
  const lower = name.toLowerCase();
  return indicesWhere((h) => h.toLowerCase() === lower);
}

// ---------------------------------------------------------------- classes
