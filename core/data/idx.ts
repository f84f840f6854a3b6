import { StudioError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { checkShape, formatBytes, formatCount } from './limits.js';

/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a 4-byte magic `00 00 <type> <ndims>`, then `ndims` big-endian uint32 sizes,
 * then the values row-major. Images are `00 00 08 03` (count, rows, cols),
 * labels `00 00 08 01` (count). Bytes arrive already un-gzipped (see read-data.ts).
 *
 * Every size in the header is checked against the bytes actually present before
 * anything is allocated, so a header that announces 4 billion images of 65535 x
 * 65535 pixels is an error in microseconds.
 */

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};
const UBYTE = 0x08;

export interface IdxArray {
  /** Sizes from the header: [count, rows, cols] for images, [count] for labels. */
  readonly dims: readonly number[];
  /** The values (a view into the input bytes). */
  readonly data: Uint8Array;
}

/** True when the bytes start like an IDX file: two zero bytes and a known type code. */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2]! in TYPE_NAMES && bytes[3]! > 0;
}

function hex(bytes: Uint8Array, n: number): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail = (msg: string): StudioError => new StudioError('BAD_DATA', msg, { file });
  if (bytes.length === 0) throw fail('the file is empty');
  if (bytes.length < 4) throw fail(`only ${bytes.length} bytes: too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(`not an IDX file: it starts with ${hex(bytes, 4)}, an IDX file starts with 00 00 08 0N`);
  }
  const type = bytes[2]!;
  if (type !== UBYTE) {
    const name = TYPE_NAMES[type];
    throw fail(
      name === undefined
        ? `not an IDX file: unknown data type code 0x${type.toString(16).padStart(2, '0')}`
        : `IDX values of type ${name} (0x${type.toString(16).padStart(2, '0')}) are not supported; only unsigned bytes (0x08) are`,
    );
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw fail('the IDX header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw fail(
      `truncated in the header: ${ndims} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));

  // Products of up to 255 uint32 can exceed 2^53; they only need to be compared
  // with the real byte count, and an imprecise huge number still compares larger.
  const expected = dims.reduce((a, b) => a * b, 1);
  const present = bytes.length - headerBytes;
  const shape = describeDims(dims);
  if (expected > present) {
    throw fail(
      `truncated: the header announces ${shape} values (${formatBytes(expected)}) ` +
        `but only ${formatBytes(present)} follow the header`,
    );
  }
  if (expected < present) {
    throw fail(`${formatCount(present - expected)} unexpected bytes after the ${shape} values the header announces`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** `60,000 x 28 x 28`; a long list of sizes is cut short so a message stays one readable line. */
function describeDims(dims: readonly number[]): string {
  const shown = dims.slice(0, 6).map(formatCount).join(' x ');
  return dims.length > 6 ? `${shown} x ... (${dims.length} dimensions)` : shown;
}

export interface IdxInput {
  name: string;
  /** Already decompressed. */
  bytes: Uint8Array;
}

/**
 * Images and labels as a Dataset: pixels stay bytes (scale 1/255, so values land
 * in [0, 1]) and labels become class indices 0..max. `labels: null` yields an
 * unlabelled set (labels all -1, no class names), which only prediction can use.
 */
export function readIdxDataset(
  images: IdxInput,
  labels: IdxInput | null,
): { dataset: Dataset; warnings: string[] } {
  const warnings: string[] = [];
  const img = parseIdx(images.bytes, images.name);
  if (img.dims.length === 1) {
    throw new StudioError(
      'BAD_DATA',
      'this is an IDX labels file (1 dimension); give the images file as the data and this one as its labels',
      { file: images.name },
    );
  }
  const count = img.dims[0]!;
  const features = img.dims.slice(1).reduce((a, b) => a * b, 1);
  if (count === 0) throw new StudioError('BAD_DATA', 'the IDX file holds 0 samples', { file: images.name });
  if (features === 0) throw new StudioError('BAD_DATA', 'the IDX samples have 0 values each', { file: images.name });
  checkShape(count, features, images.name);

  let labelIdx: Int32Array;
  let classNames: string[];
  if (labels === null) {
    labelIdx = new Int32Array(count).fill(-1);
    classNames = [];
  } else {
    const lab = parseIdx(labels.bytes, labels.name);
    if (lab.dims.length !== 1) {
      throw new StudioError(
        'BAD_DATA',
        `an IDX labels file has 1 dimension, this one has ${lab.dims.length} (${describeDims(lab.dims)}): is it an images file?`,
        { file: labels.name },
      );
    }
    if (lab.dims[0] !== count) {
      throw new StudioError(
        'BAD_DATA',
        `has ${formatCount(lab.dims[0]!)} labels but ${images.name} has ${formatCount(count)} images`,
        { file: labels.name },
      );
    }
    labelIdx = Int32Array.from(lab.data);
    const max = checkLabelRange(lab.data, labels.name);
    classNames = Array.from({ length: max + 1 }, (_, i) => String(i));
    const seen = new Uint8Array(max + 1);
    for (const v of lab.data) seen[v] = 1;
    const missing = classNames.filter((_, i) => seen[i] === 0);
    if (missing.length > 0) {
      warnings.push(`${labels.name}: no samples of class ${missing.join(', ')} (labels run 0..${max})`);
    }
    if (max === 0) warnings.push(`${labels.name}: every label is 0; there is only one class`);
  }

  const dataset: Dataset = {
    count,
    features,
    // A copy, so the data set does not pin (or get changed with) the caller's file buffer.
    x: img.data.slice(),
    scale: 1 / 255,
    labels: labelIdx,
    classNames,
    ...(img.dims.length === 3 ? { imageShape: [img.dims[1]!, img.dims[2]!] as const } : {}),
  };
  return { dataset, warnings };
}

/**
 * IDX labels are class numbers 0..k-1. A few classes may have no samples in a
 * file (a subset), but a value far above all the others is a damaged byte, not
 * a class: one 255 among digits 0..9 would otherwise make a 256-class network.
 * The rule: sorted, the distinct label values may skip at most MAX_LABEL_GAP
 * class numbers in a row. Returns the largest label.
 */
const MAX_LABEL_GAP = 16;

function checkLabelRange(labels: Uint8Array, file: string): number {
  const count = new Float64Array(256);
  for (const v of labels) count[v]!++;
  let previous = -1;
  let max = 0;
  for (let v = 0; v < 256; v++) {
    if (count[v] === 0) continue;
    if (v - previous - 1 > MAX_LABEL_GAP) {
      const at = labels.indexOf(v);
      const below = previous < 0 ? 'no smaller label' : `the others run 0..${previous}`;
      throw new StudioError(
        'BAD_DATA',
        `the label of sample ${formatCount(at + 1)} (byte ${formatCount(8 + at)} of the file) is ${v}, far from every other label ` +
          `(${below}; ${formatCount(count[v]!)} sample${count[v] === 1 ? '' : 's'} with ${v}): the file looks damaged`,
        { file },
      );
    }
    previous = v;
    max = v;
  }
  return max;
}

/**
 * Where the labels of an images file usually are: `train-images-idx3-ubyte.gz` ->
 * `train-labels-idx1-ubyte.gz`, then the uncompressed name (and the other way
 * round), keeping the folder and the letter case. Empty when the name does not
 * say "images".
 */
export function pairedLabelFileName(imagesName: string): string[] {
  const cut = Math.max(imagesName.lastIndexOf('/'), imagesName.lastIndexOf('\\')) + 1;
  const dir = imagesName.slice(0, cut);
  const base = imagesName.slice(cut);
  if (!/images/i.test(base)) return [];
  const gz = /\.gz$/i.test(base);
  const stem = (gz ? base.slice(0, -3) : base)
    .replace(/images/gi, (m) => (m === 'IMAGES' ? 'LABELS' : m[0] === 'I' ? 'Labels' : 'labels'))
    .replace(/idx3/gi, (m) => (m[0] === 'I' ? 'IDX1' : 'idx1'));
  const ext = gz ? base.slice(-3) : '.gz';
  const names = gz ? [stem + ext, stem] : [stem, stem + ext];
  return names.map((n) => dir + n);
}
