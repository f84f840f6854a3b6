import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { readDataFile, type LoadedData } from '../core/data/read-data.js';
import { pairedLabelFileName } from '../core/data/idx.js';
import { DATA_LIMITS } from '../core/data/limits.js';
import { StudioError, formatPlace } from '../core/errors.js';
import { readFileCapped } from '../node/read-file.js';
import type { CliIO } from './io.js';

export interface DataFileRequest {
  path: string;
  /** An explicit IDX labels file; otherwise found beside the images by name. */
  labelsPath?: string;
  /** null: the file has no label column (prediction input). */
  labelColumn?: string | number | null;
  /** Labels are optional: look for an IDX labels file but do without one. */
  labelsOptional?: boolean;
  /**
   * Without labelColumn: the label column's name stored in the model, used when
   * this file has a column of that name (else the default, the last column, applies).
   */
  modelLabelColumn?: string;
  /** The flag that names this file's IDX labels (--labels, or --test-labels for the test file). */
  labelsFlag?: string;
  /** Every file read is added here (full path, and as shown), so a command can keep its output off them. */
  inputs?: { path: string; shown: string }[];
}

/**
 * Read a data file (and its IDX labels file) from disk and parse it in core.
 * Messages name the files as the user typed them (`data/iris.csv:3:2`), like a
 * compiler does, so the place can be pasted back into a shell or an editor.
 */
export async function loadDataFile(io: CliIO, req: DataFileRequest): Promise<LoadedData> {
  const path = resolve(io.cwd, req.path);
  const bytes = await readFileCapped(path, DATA_LIMITS.maxFileBytes, req.path);
  req.inputs?.push({ path, shown: req.path });
  let labels: { name: string; bytes: Uint8Array } | undefined;
  if (req.labelsPath !== undefined) {
    const lp = resolve(io.cwd, req.labelsPath);
    labels = { name: req.labelsPath, bytes: await readFileCapped(lp, DATA_LIMITS.maxFileBytes, req.labelsPath) };
    req.inputs?.push({ path: lp, shown: req.labelsPath });
  } else {
    // Only IDX image names (train-images-idx3-ubyte…) have label-file candidates.
    const candidates = pairedLabelFileName(basename(path)).map((n) => join(dirname(path), n));
    const found = candidates.find((c) => existsSync(c));
    if (found) {
      const shown = shownPath(io, req.path, found);
      labels = { name: shown, bytes: await readFileCapped(found, DATA_LIMITS.maxFileBytes, shown) };
      req.inputs?.push({ path: found, shown });
    } else if (!req.labelsOptional && candidates.length > 0 && !/\.(csv|tsv|txt)(\.gz)?$/i.test(path)) {
      throw new StudioError(
        'BAD_USAGE',
        `${req.path}: no labels file beside it (looked for ${candidates.map((c) => basename(c)).join(', ')}); name one with ${req.labelsFlag ?? '--labels'}`,
      );
    }
  }
  const input = { name: req.path, bytes, ...(labels ? { labels } : {}) };
  if (req.labelColumn === undefined && req.modelLabelColumn !== undefined) {
    try {
      return readDataFile(input, { labelColumn: req.modelLabelColumn });
    } catch (e) {
      // No header, or no column of that name: read it like any file below.
      if (!(e instanceof StudioError && e.where.field === 'label column')) throw e;
    }
  }
  let loaded: LoadedData;
  try {
    loaded = readDataFile(input, req.labelColumn !== undefined ? { labelColumn: req.labelColumn } : {});
  } catch (e) {
    throw req.labelColumn === undefined ? withLabelHint(e) : namingTheFlag(e);
  }
  if (req.labelColumn === undefined) {
    const named = labelLikeColumn(loaded);
    if (named) {
      loaded.warnings.push(
        `${req.path}: the labels are taken from the last column ("${loaded.header![loaded.labelColumn!]}"), ` +
          `but column "${named}" sounds like the labels; if it is, add --label ${/^[\w.-]+$/.test(named) ? named : JSON.stringify(named)}`,
      );
    }
  }
  return loaded;
}

/** Names that mean "the class" in data sets people download (Kaggle's MNIST: label,pixel0,...). */
const LABEL_NAMES = /^(labels?|class(es)?|target|y|category|species|digit)$/i;

/** A header column named like the labels that is not the label column in use, when the label column's own name is not such a name. */
function labelLikeColumn(loaded: LoadedData): string | undefined {
  const { header, labelColumn } = loaded;
  if (!header || labelColumn === null || LABEL_NAMES.test(header[labelColumn]!.trim())) return undefined;
  return header.find((h, j) => j !== labelColumn && LABEL_NAMES.test(h.trim()));
}

/**
 * What the readers noticed but did not refuse (an ignored --label, constant columns,
 * a guessed header), on stderr so --json stays clean. Commands print them once every
 * check has passed and the work starts: a refused command prints its one error line only.
 */
export function printWarnings(io: CliIO, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`warning: ${w}`);
}

/** The companion file's path in the same style as the path the user typed (relative or absolute). */
function shownPath(io: CliIO, typed: string, found: string): string {
  return typed.startsWith('/') ? found : relative(io.cwd, found) || basename(found);
}

/**
 * The default label column is the last. When the first data row already has text
 * in another column, that column is most likely the label (`species,sepal_length,…`):
 * say which flag picks it, instead of only "is not a number".
 */
function withLabelHint(e: unknown): unknown {
  if (!(e instanceof StudioError) || e.code !== 'NOT_A_NUMBER' || e.where.line === undefined || e.where.line > 2) return e;
  const bare = e.message.slice(formatPlace(e.where).length);
  const m = /^column (?:"([^"]+)"|(\d+)): "[^"]*" is not a number/.exec(bare);
  if (!m) return e;
  const flag = m[1] !== undefined ? `--label ${/^[\w.-]+$/.test(m[1]) ? m[1] : JSON.stringify(m[1])}` : `--label ${Number(m[2]) - 1}`;
  return new StudioError(e.code, `${bare} (if this column holds the class labels, add ${flag})`, e.where);
}

/** The reader names its `label column` option; on the command line that is --label. */
function namingTheFlag(e: unknown): unknown {
  if (!(e instanceof StudioError) || e.where.field !== 'label column') return e;
  const { field: _field, ...place } = e.where;
  return new StudioError(e.code, `--label: ${e.message.slice(formatPlace(e.where).length)}`, place);
}

/**
 * eval needs labels. A CSV/TSV file that is exactly as wide as the model's inputs
 * has none: its last feature would be read as the label, and the feature count
 * would come out one short, which is a confusing way to say it.
 */
export function requireLabelColumn(loaded: LoadedData, inputSize: number, file: string, labelGiven: boolean): void {
  if (loaded.format === 'idx' || labelGiven || loaded.labelColumn === null) return;
  if (loaded.dataset.features === inputSize - 1) {
    throw new StudioError(
      'BAD_DATA',
      `has ${inputSize} columns, as many as the model's inputs, so no column is left for the labels that eval needs ` +
        `(predict works without labels; if one of these columns is the label, name it with --label)`,
      { file },
    );
  }
}

/** The feature columns' names in order (the header without the label column), when the file has a header. */
export function featureNamesOf(loaded: LoadedData): string[] | undefined {
  if (!loaded.header) return undefined;
  return loaded.header.filter((_, j) => j !== loaded.labelColumn);
}
