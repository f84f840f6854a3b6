import { baseName } from '../../../core/format.js';

/**
 * Turning the files a user picked or dropped into one loadData request. IDX image
 * files need their labels file: we pair them by the standard MNIST names
 * (train-images-idx3-ubyte ↔ train-labels-idx1-ubyte, t10k-… likewise, .gz or
 * not), and a training pair plus a t10k pair become train + test. Only names and
 * the first bytes are looked at; the engine does the real parsing.
 */

export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export type FileRole = 'model' | 'table' | 'idx-images' | 'idx-labels' | 'idx-unknown' | 'unknown';


export function fileRole(f: PickedFile): FileRole {
  const name = baseName(f.name).toLowerCase();
  if (name.endsWith('.safetensors')) return 'model';
  if (/\.(csv|tsv|txt)(\.gz)?$/.test(name)) return 'table';
  const b = f.bytes;
  // Plain IDX: magic 0x00 0x00 <type> <dims>; images are 3-D, labels 1-D.
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0x08) {
    if (b[3] === 3) return 'idx-images';
    if (b[3] === 1) return 'idx-labels';
    return 'idx-unknown';
  }
  if (/idx3|images/.test(name)) return 'idx-images';
  if (/idx1|labels/.test(name)) return 'idx-labels';
  if (/\.idx|ubyte/.test(name)) return 'idx-unknown';
  // safetensors: 8-byte little-endian header length then '{'.
  if (b.length >= 9 && b[8] === 0x7b && b[5] === 0 && b[6] === 0 && b[7] === 0) return 'model';
  if (looksLikeDelimitedText(b)) return 'table';
  return 'unknown';
}

/** Printable text with a comma, tab or semicolon in its first line: a table under another name (iris.data). */
function looksLikeDelimitedText(b: Uint8Array): boolean {
  const head = b.subarray(0, 2048);
  if (head.length === 0) return false;
  let newline = -1;
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (c === 10) {
      if (newline < 0) newline = i;
      continue;
    }
    if (c === 9 || c === 13) continue;
    if (c < 32 || c === 127) return false;
  }
  const first = head.subarray(0, newline < 0 ? head.length : newline);
  return first.some((c) => c === 44 || c === 9 || c === 59);
}

/** The name with its images/labels part removed: "train-images-idx3-ubyte.gz" -> "train--ubyte". */
function pairKey(name: string): string {
  return baseName(name)
    .toLowerCase()
    .replace(/\.gz$/, '')
    .replace(/images?|labels?/, '')
    .replace(/idx[13]/, '');
}

function isTestName(name: string): boolean {
  return /(^|[^a-z])(t10k|test)/.test(baseName(name).toLowerCase());
}

export interface IdxPair {
  images: PickedFile;
  labels: PickedFile;
}

export type DataRequest =
  | { kind: 'table'; train: PickedFile; test?: PickedFile }
  | { kind: 'idx'; train: IdxPair; test?: IdxPair };

export type Plan =
  | { ok: true; request: DataRequest }
  | { ok: false; message: string; needsLabelsFor?: PickedFile };

/** Decide what to load from a set of picked data files (models are routed elsewhere). */
export function planDataLoad(files: readonly PickedFile[]): Plan {
  if (files.length === 0) return { ok: false, message: 'No file was chosen.' };
  const roles = files.map((f) => ({ f, role: fileRole(f) }));
  const unknown = roles.find((r) => r.role === 'unknown' || r.role === 'idx-unknown');
  if (unknown) {
    return {
      ok: false,
      message: `${baseName(unknown.f.name)}: not a data file the studio reads (CSV, TSV, or IDX images with their labels file).`,
    };
  }
  const tables = roles.filter((r) => r.role === 'table').map((r) => r.f);
  const images = roles.filter((r) => r.role === 'idx-images').map((r) => r.f);
  const labels = roles.filter((r) => r.role === 'idx-labels').map((r) => r.f);

  if (tables.length > 0) {
    if (images.length + labels.length > 0) return { ok: false, message: 'Open either CSV/TSV files or IDX files, not both at once.' };
    if (tables.length > 2) return { ok: false, message: 'Open one table, or a training and a test table.' };
    if (tables.length === 1) return { ok: true, request: { kind: 'table', train: tables[0]! } };
    const [a, b] = tables as [PickedFile, PickedFile];
    if (isTestName(a.name) === isTestName(b.name)) {
      return { ok: false, message: `Cannot tell which of ${baseName(a.name)} and ${baseName(b.name)} is the test set: name one of them "test".` };
    }
    return { ok: true, request: { kind: 'table', train: isTestName(a.name) ? b : a, test: isTestName(a.name) ? a : b } };
  }

  if (images.length === 0) {
    return { ok: false, message: 'These are IDX labels only: also choose the images file (…-images-idx3-ubyte).' };
  }
  if (images.length > 2) return { ok: false, message: 'Open at most two IDX image files (training and test) with their labels.' };
  const pairs: IdxPair[] = [];
  for (const img of images) {
    const key = pairKey(img.name);
    const match = labels.find((l) => pairKey(l.name) === key) ?? (images.length === 1 && labels.length === 1 ? labels[0] : undefined);
    if (!match) {
      return {
        ok: false,
        message: `${baseName(img.name)} needs its labels file (${baseName(img.name).replace(/images/i, 'labels').replace('idx3', 'idx1')}): choose both files together.`,
        needsLabelsFor: img,
      };
    }
    pairs.push({ images: img, labels: match });
  }
  if (pairs.length === 1) return { ok: true, request: { kind: 'idx', train: pairs[0]! } };
  const [p, q] = pairs as [IdxPair, IdxPair];
  if (isTestName(p.images.name) === isTestName(q.images.name)) {
    return { ok: false, message: `Cannot tell which IDX file is the test set: name it t10k-… or test-….` };
  }
  return { ok: true, request: isTestName(p.images.name) ? { kind: 'idx', train: q, test: p } : { kind: 'idx', train: p, test: q } };
}
