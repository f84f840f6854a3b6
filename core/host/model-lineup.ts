import { alignClasses, matchFeatureNames, sameList } from '../data/prepare.js';
import type { Dataset } from '../data/dataset.js';
import type { DataPreview } from '../protocol/events.js';
import type { RawData } from './data-load.js';

/*
 * Data loaded while a model file is open is read as that model reads it: its
 * outputs are its classes and its inputs its columns, whatever order a file lists
 * them in. A file with two of an iris model's three classes, or with the columns
 * in another order, used to be taken by position: training and evaluation then
 * scored "versicolor" samples against the "setosa" output without a word. The CLI
 * does the same line-up for `eval`, `predict` and `train --init-from`.
 */

/** What an opened model says about its inputs and outputs. */
export interface ModelColumns {
  classNames: readonly string[];
  /** Feature column names in the order the model reads them, when its file has them. */
  featureNames: readonly string[] | null;
}

/**
 * `raw` lined up with `model`: columns put in the model's order by name (both must
 * name them), labels moved to the model's class indices when every class of the data
 * is one of the model's. What cannot be lined up stays as read, with a note saying so.
 */
export function lineUpDataWithModel(raw: RawData, model: ModelColumns): { raw: RawData; notes: string[] } {
  const notes: string[] = [];
  let lined = raw;
  if (raw.featureNames && model.featureNames) {
    const train = matchFeatureNames(raw.train, raw.featureNames, model.featureNames, undefined, 'the opened model');
    if (train.dataset !== raw.train) {
      const test = raw.test ? matchFeatureNames(raw.test, raw.featureNames, model.featureNames).dataset : null;
      lined = { ...lined, train: train.dataset, test, featureNames: [...model.featureNames] };
    }
    if (train.note) notes.push(train.note);
  }
  const have = lined.train.classNames;
  const want = model.classNames;
  if (sameList(have, want)) return { raw: lined, notes };
  if (!have.every((c) => want.includes(c))) {
    notes.push(`the opened model's classes (${shortList(want)}) differ from this data's (${shortList(have)}); the labels are taken by position`);
    return { raw: lined, notes };
  }
  const train = alignClasses(lined.train, want, raw.name);
  const test = lined.test ? alignClasses(lined.test, want, raw.name) : null;
  const absent = want.filter((c) => !have.includes(c));
  notes.push(
    absent.length === 0
      ? `the classes were put in the opened model's order (${shortList(want)})`
      : `the classes were lined up with the opened model's ${want.length} (${shortList(want)}); this data has ${have.length} of them`,
  );
  return { raw: { ...lined, train, test, preview: relabelPreview(lined.preview, lined.train, train) }, notes };
}

/** The preview's labels as class indices of `to` (same samples, classes moved as `from` → `to`). */
function relabelPreview(preview: DataPreview, from: Dataset, to: Dataset): DataPreview {
  const index = new Map(to.classNames.map((c, i) => [c, i]));
  const move = (labels: Int32Array): Int32Array => labels.map((l) => (l >= 0 ? index.get(from.classNames[l]!)! : l));
  switch (preview.kind) {
    case 'table':
      return preview; // rows show the label as text
    case 'images':
      return { ...preview, labels: move(preview.labels) };
    case 'points':
      return { ...preview, trainLabels: move(preview.trainLabels), testLabels: move(preview.testLabels) };
  }
}

function shortList(names: readonly string[]): string {
  return names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
}
