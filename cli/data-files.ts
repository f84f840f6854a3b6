import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readDataFile, type LoadedData } from '../core/data/read-data.js';
import { pairedLabelFileName } from '../core/data/idx.js';
import { DATA_LIMITS } from '../core/data/limits.js';
import { StudioError } from '../core/errors.js';
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
}

/** Read a data file (and its IDX labels file) from disk and parse it in core. */
export async function loadDataFile(io: CliIO, req: DataFileRequest): Promise<LoadedData> {
  const path = resolve(io.cwd, req.path);
  const bytes = await readFileCapped(path, DATA_LIMITS.maxFileBytes);
  let labels: { name: string; bytes: Uint8Array } | undefined;
  if (req.labelsPath !== undefined) {
    const lp = resolve(io.cwd, req.labelsPath);
    labels = { name: basename(lp), bytes: await readFileCapped(lp, DATA_LIMITS.maxFileBytes) };
  } else {
    // Only IDX image names (train-images-idx3-ubyte…) have label-file candidates.
    const candidates = pairedLabelFileName(basename(path)).map((n) => join(dirname(path), n));
    const found = candidates.find((c) => existsSync(c));
    if (found) labels = { name: basename(found), bytes: await readFileCapped(found, DATA_LIMITS.maxFileBytes) };
    else if (!req.labelsOptional && candidates.length > 0 && !/\.(csv|tsv|txt)(\.gz)?$/i.test(path)) {
      throw new StudioError(
        'BAD_USAGE',
        `${req.path}: no labels file beside it (looked for ${candidates.map((c) => basename(c)).join(', ')}); name one with --labels`,
      );
    }
  }
  return readDataFile(
    { name: basename(path), bytes, ...(labels ? { labels } : {}) },
    req.labelColumn !== undefined ? { labelColumn: req.labelColumn } : {},
  );
}
