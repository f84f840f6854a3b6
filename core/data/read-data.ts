import { StudioError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readCsv, type CsvOptions } from './csv.js';
import { gunzipCapped, gunzipHead, isGzip, type InflateLimit } from './gzip.js';
import { pairedLabelFileName, parseIdx, readIdxDataset } from './idx.js';
import { DATA_LIMITS, checkBytes, checkShape } from './limits.js';
import { baseName } from '../format.js';

/**
 * The one entry point for data files, whatever their kind: bytes in (already
 * read, size-capped, by the caller), a Dataset out. The format is decided by the
 * content, never by the name: gzip by its magic 1f 8b, IDX by its leading zero
 * bytes, anything else is CSV/TSV text.
 */

export interface DataFileInput {
  /** File name (or path) used in every message. */
  name: string;
  bytes: Uint8Array;
  /** The IDX labels file that goes with an IDX images file. */
  labels?: { name: string; bytes: Uint8Array };
}

export type ReadDataOptions = CsvOptions;

export interface LoadedData {
  dataset: Dataset;
  format: 'csv' | 'tsv' | 'idx';
  /** Column names when the CSV/TSV file has a header row. */
  header: string[] | null;
  /** Index of the label column in the CSV/TSV rows; null for IDX and unlabelled data. */
  labelColumn: number | null;
  /** The first rows as text, for a table in the UI; null for IDX. */
  preview: { columns: string[]; rows: string[][]; labelColumn: number } | null;
  /** Things the user should know that do not stop the load, one line each. */
  warnings: string[];
}

const IDX_NAME = /idx\d|ubyte/i;
const TEXT_NAME = /\.(csv|tsv|txt|data)(\.gz)?$/i;

export function readDataFile(input: DataFileInput, options: ReadDataOptions = {}): LoadedData {
  const bytes = unpack(input.name, input.bytes);
  if (bytes.length === 0) throw new StudioError('BAD_DATA', 'the file is empty', { file: input.name });

  // Text never starts with a zero byte; a name like *-idx3-ubyte gets IDX's own diagnosis.
  const idx =
    (bytes.length >= 2 && bytes[0] === 0 && bytes[1] === 0) ||
    (IDX_NAME.test(baseName(input.name)) && !TEXT_NAME.test(input.name));
  if (!idx) {
    if (input.labels) {
      throw new StudioError(
        'BAD_USAGE',
        `a separate labels file (${input.labels.name}) only goes with IDX images; a CSV/TSV file carries its labels in a column`,
        { file: input.name },
      );
    }
    return readCsv(bytes, input.name, options);
  }

  // A wrong magic, and a labels file given as the data, are reported before a missing labels file.
  if (parseIdx(bytes, input.name).dims.length === 1) {
    throw new StudioError(
      'BAD_DATA',
      'this is an IDX labels file (1 dimension); give the images file as the data and this one as its labels',
      { file: input.name },
    );
  }
  const warnings: string[] = [];
  let labels: { name: string; bytes: Uint8Array } | null = null;
  if (input.labels) {
    labels = { name: input.labels.name, bytes: unpack(input.labels.name, input.labels.bytes) };
  } else if (options.labelColumn !== null) {
    const guess = pairedLabelFileName(baseName(input.name))[0];
    throw new StudioError(
      'BAD_DATA',
      `IDX images need their labels file${guess ? ` (usually ${guess}, in the same folder)` : ''}`,
      { file: input.name },
    );
  }
  if (options.labelColumn !== undefined && options.labelColumn !== null) {
    warnings.push(`${input.name}: a label column applies to CSV/TSV files only; IDX labels come from the labels file`);
  }
  const read = readIdxDataset({ name: input.name, bytes }, labels);
  return {
    dataset: read.dataset,
    format: 'idx',
    header: null,
    labelColumn: null,
    preview: null,
    warnings: [...warnings, ...read.warnings],
  };
}

/**
 * Size check, then gzip (by magic) inflated no further than the reader will
 * accept: an IDX file the size its header announces (plus a little, so trailing
 * bytes get the IDX reader's own message), anything else the CSV/TSV text limit.
 */
function unpack(name: string, bytes: Uint8Array): Uint8Array {
  checkBytes(bytes.length, DATA_LIMITS.maxFileBytes, 'the file', name);
  if (!isGzip(bytes)) return bytes;
  return gunzipCapped(bytes, inflateLimit(gunzipHead(bytes, IDX_MAX_HEADER), name), name);
}

/** An IDX header: 4 bytes, then up to 255 sizes of 4 bytes. */
const IDX_MAX_HEADER = 4 + 4 * 255;
/** Bytes past an IDX file's announced size still inflated, so a few stray ones are named by the IDX reader. */
const IDX_SLACK = 64 * 1024;

function inflateLimit(head: Uint8Array, name: string): InflateLimit {
  const text = { max: DATA_LIMITS.maxTextBytes, reason: 'the limit for CSV/TSV text' };
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) return text;
  const headerBytes = 4 + 4 * head[3]!;
  if (head[3] === 0 || head.length < headerBytes) return text; // the IDX reader names what is wrong
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims = Array.from({ length: head[3]! }, (_, i) => view.getUint32(4 + 4 * i, false));
  // Refuse an announced size over the limits with the reader's own words, before inflating anything.
  checkShape(dims[0]!, dims.slice(1).reduce((a, b) => a * b, 1), name);
  const values = dims.reduce((a, b) => a * b, 1);
  return { max: headerBytes + values + IDX_SLACK, reason: 'what its IDX header announces' };
}
