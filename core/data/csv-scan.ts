import { StudioError } from '../errors.js';
import { DATA_LIMITS, formatBytes, formatCount } from './limits.js';

/**
 * One pass over the raw bytes of CSV/TSV text before csv-parse sees them. The
 * parser's browser build holds a field as an array of characters, so one cell
 * of 100 M characters costs gigabytes and a few hundred million end in a fatal
 * "invalid size" crash; a row of millions of fields is slow to build as well.
 * This scan measures, in bounded memory, what the parser would have to hold and
 * refuses it with the place (file:line:column) before the parser starts:
 *
 * - a field longer than DATA_LIMITS.maxFieldBytes (a number or a class name is
 *   a few dozen characters; a longer one means a wrong delimiter or a quote that
 *   never closes),
 * - a line longer than DATA_LIMITS.maxLineBytes,
 * - more fields in a row than the features a network can take.
 *
 * Quotes are followed the way csv-parse reads them with relax_quotes: a quote
 * opens a quoted field only at the start of a field (after optional spaces), `""`
 * inside is an escaped quote, and a quoted field may span lines. It also returns
 * an upper bound on the records (line breaks + 1) for a single allocation.
 */

export interface ScanResult {
  /** Upper bound on the number of records. */
  lines: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

export function scanCsvText(bytes: Uint8Array, delimiter: string, file: string): ScanResult {
  // A delimiter of several characters cannot be matched byte by byte here: then
  // only lines are measured (the whole line counts as one field).
  const d = delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80 ? delimiter.charCodeAt(0) : -1;
  const maxField = DATA_LIMITS.maxFieldBytes;
  const maxLine = DATA_LIMITS.maxLineBytes;
  const maxFields = DATA_LIMITS.maxFeatures + 1;

  let line = 1; // current physical line (1-based)
  let lineStart = 0; // byte offset where the current physical line starts
  let fieldStart = 0; // byte offset where the current field starts
  let fieldLine = 1; // the line the current field starts on
  let fieldIndex = 1; // 1-based field number in the current record
  let recordLine = 1; // the line the current record starts on
  let quoted = false; // inside a quoted field
  let atFieldStart = true; // only spaces seen since the field began

  const tooLong = (end: number): never => {
    throw new StudioError(
      'TOO_LARGE',
      `a field of more than ${formatBytes(end - fieldStart)} (the limit is ${formatBytes(maxField)}): a value this long is ` +
        'neither a number nor a class name; is the delimiter right, or does a quote never close?',
      { file, line: fieldLine, column: fieldIndex },
    );
  };

  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (quoted) {
      if (b === QUOTE) {
        if (bytes[i + 1] === QUOTE) i++; // "" is one quote inside the field
        else quoted = false; // the quoted part ends; anything up to the delimiter joins the field
      } else if (b === LF || (b === CR && bytes[i + 1] !== LF)) {
        line++;
        lineStart = i + 1;
      }
      if (i - fieldStart >= maxField) tooLong(i);
      continue;
    }
    if (b === QUOTE && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      continue;
    }
    if (b === d) {
      if (++fieldIndex > maxFields) {
        throw new StudioError(
          'TOO_LARGE',
          `a row has more than ${formatCount(maxFields)} fields; the limit is ${formatCount(DATA_LIMITS.maxFeatures)} features and a label`,
          { file, line: recordLine },
        );
      }
      fieldStart = i + 1;
      fieldLine = line;
      atFieldStart = true;
      continue;
    }
    if (b === LF || b === CR) {
      if (b === CR && bytes[i + 1] === LF) i++;
      line++;
      lineStart = i + 1;
      fieldStart = i + 1;
      fieldLine = line;
      fieldIndex = 1;
      recordLine = line;
      atFieldStart = true;
      continue;
    }
    if (b !== SPACE && b !== TAB) atFieldStart = false;
    if (d !== -1 && i - fieldStart >= maxField) tooLong(i);
    if (i - lineStart >= maxLine) {
      throw new StudioError(
        'TOO_LARGE',
        `a line of more than ${formatBytes(maxLine)} (the limit): is this a text file with one record per line?`,
        { file, line },
      );
    }
  }
  return { lines: line };
}
/**
 * The separator that splits the first lines into the same number of fields,
 * preferring the one that gives the most fields. Quoted text is skipped.
 */
export function sniffDelimiter(bytes: Uint8Array): string {
  const sample = new TextDecoder().decode(bytes.subarray(0, 65536));
  let lines = sample.split(/\r\n|\n|\r/);
  if (bytes.length > 65536) lines.pop(); // probably cut in the middle
  lines = lines.filter((l) => l.trim() !== '').slice(0, 20);
  let best = ',';
  let bestCount = 0;
  let bestConsistent = false;
  for (const d of [',', '\t', ';']) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const lo = Math.min(...counts);
    if (lo === 0) continue;
    const consistent = counts.every((c) => c === counts[0]);
    if ((consistent && !bestConsistent) || (consistent === bestConsistent && lo > bestCount)) {
      best = d;
      bestCount = lo;
      bestConsistent = consistent;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

