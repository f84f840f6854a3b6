import { StudioError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readCsv, type CsvOptions } from './csv.js';
import { gunzipCapped, isGzip } from './gzip.js';
import { pairedLabelFileName, parseIdx, readIdxDataset } from './idx.js';
import { DATA_LIMITS, checkBytes } from './limits.js';

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
  preview: { columns: string[]; rows: string[][] } | null;
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

/** Size check, then gzip (by magic) with its own output cap. */
function unpack(name: string, bytes: Uint8Array): Uint8Array {
  checkBytes(bytes.length, DATA_LIMITS.maxFileBytes, 'the file', name);
  return isGzip(bytes) ? gunzipCapped(bytes, DATA_LIMITS.maxDecompressedBytes, name) : bytes;
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
