import { predictDataset } from '../../core/evaluation.js';
import { labelColumnOption, type ParsedCommand } from '../args.js';
import { featureNamesOf, loadDataFile, printWarnings } from '../data-files.js';
import type { LoadedData } from '../../core/data/read-data.js';
import type { Dataset } from '../../core/data/dataset.js';
import { StudioError } from '../../core/errors.js';
import { jsonLine, type CliIO } from '../io.js';
import { loadModel, prepareForModel } from '../model.js';
import { computeOptions } from '../ops.js';
import { withCliOps } from '../with-ops.js';

/**
 * Class probabilities per row. A CSV may or may not carry a label column: one
 * column more than the model's inputs and the label column (last, or --label) is
 * left out; exactly the model's input width and it has none.
 */
export async function predictCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const [modelPath, dataPath] = cmd.positionals as [string, string];
  return withCliOps(computeOptions(v), io, async (ops) => {
    const model = await loadModel(io, modelPath, ops);
    const inputSize = model.content.spec.inputSize;
    const loaded = await loadForPrediction(io, dataPath, inputSize, labelColumnOption(v), model.content.labelColumn);
    const warnings = [...loaded.warnings];
    const ds = prepareForModel(loaded.dataset, model, dataPath, warnings, featureNamesOf(loaded));
    printWarnings(io, warnings);
    const probs = predictDataset(model.network, ds);
    const classes = model.network.outputSize;
    const names = model.content.classNames;
    // A network trained with squared error (the book's chapter 4) outputs scores, not
    // probabilities: they are printed as such, y(class), and the prediction is the largest.
    const scores = model.content.spec.loss === 'mse';
    if (v.json !== true) {
      // Which value is which class: the columns after the prediction.
      const classLabels = names ?? Array.from({ length: classes }, (_, i) => String(i));
      io.out(`row\tpredicted\t${classLabels.map((c) => (scores ? `y(${c})` : `p(${c})`)).join(' ')}`);
    }
    for (let row = 0; row < ds.count; row++) {
      const p = Array.from(probs.subarray(row * classes, (row + 1) * classes));
      const predicted = p.indexOf(Math.max(...p));
      if (v.json === true) {
        jsonLine(io, { row, [scores ? 'outputs' : 'probabilities']: p, predicted, ...(names ? { label: names[predicted] } : {}) });
      } else {
        io.out(`${row}\t${names ? names[predicted] : predicted}\t${p.map((x) => x.toFixed(4)).join(' ')}`);
      }
    }
    return 0;
  });
}

/**
 * Prediction input with or without a label column. The width decides, not the
 * label values: reading the last column of an unlabelled file as labels would
 * refuse a continuous feature ("1,500 distinct values") before the width is known.
 * With --label the user has said where the labels are; a column named like the
 * model's training label column is the label too.
 */
async function loadForPrediction(
  io: CliIO, dataPath: string, inputSize: number, labelColumn: string | number | undefined, modelLabelColumn: string | undefined,
): Promise<LoadedData> {
  if (labelColumn !== undefined) return loadDataFile(io, { path: dataPath, labelColumn, labelsOptional: true });
  if (modelLabelColumn !== undefined) {
    // The file has the column the model was trained to read its labels from: leave it out.
    try {
      return await loadDataFile(io, { path: dataPath, labelColumn: modelLabelColumn, labelsOptional: true });
    } catch (e) {
      if (!(e instanceof StudioError && e.code === 'BAD_USAGE')) throw e;
    }
  }
  let all: LoadedData;
  try {
    all = await loadDataFile(io, { path: dataPath, labelColumn: null, labelsOptional: true });
  } catch (e) {
    // A text cell: the file has a (text) label column, the last by default.
    if (e instanceof StudioError && e.code === 'NOT_A_NUMBER') return loadDataFile(io, { path: dataPath, labelsOptional: true });
    throw e;
  }
  if (all.format === 'idx' || all.dataset.features === inputSize) return all;
  if (all.dataset.features === inputSize + 1) return { ...all, dataset: dropLastColumn(all.dataset), labelColumn: inputSize };
  throw new StudioError(
    'SHAPE_MISMATCH',
    `has ${all.dataset.features} columns, but the model takes ${inputSize} inputs (${inputSize + 1} columns with a label column)`,
    { file: dataPath },
  );
}

/** The samples without their last value (the label column of an all-numeric file). */
function dropLastColumn(ds: Dataset): Dataset {
  const f = ds.features - 1;
  const x = new Float32Array(ds.count * f);
  for (let i = 0; i < ds.count; i++) x.set(ds.x.subarray(i * ds.features, i * ds.features + f), i * f);
  return { ...ds, features: f, x, scale: ds.scale };
}
