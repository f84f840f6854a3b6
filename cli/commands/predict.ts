import { predictDataset } from '../../core/trainer.js';
import { labelColumnOption, type ParsedCommand } from '../args.js';
import { loadDataFile } from '../data-files.js';
import { jsonLine, type CliIO } from '../io.js';
import { loadModel, prepareForModel } from '../model.js';
import { threadsOption } from '../ops.js';
import { withCliOps } from '../with-ops.js';

/**
 * Class probabilities per row. A CSV may or may not carry a label column: one
 * column more than the model's inputs and the label column (last, or --label) is
 * left out; exactly the model's input width and it has none.
 */
export async function predictCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const [modelPath, dataPath] = cmd.positionals as [string, string];
  return withCliOps(threadsOption(v), async (ops) => {
    const model = await loadModel(io, modelPath, ops);
    const inputSize = model.content.spec.inputSize;
    const labelColumn = labelColumnOption(v);
    // Read with a label column first (the last, or --label); when that leaves one
    // feature too few, the file has no labels and every column is a feature.
    let loaded = await loadDataFile(io, { path: dataPath, ...(labelColumn !== undefined ? { labelColumn } : {}), labelsOptional: true });
    if (labelColumn === undefined && loaded.format !== 'idx' && loaded.dataset.features === inputSize - 1) {
      loaded = await loadDataFile(io, { path: dataPath, labelColumn: null, labelsOptional: true });
    }
    const ds = prepareForModel(loaded.dataset, model, dataPath);
    const probs = predictDataset(model.network, ds);
    const classes = model.network.outputSize;
    const names = model.content.classNames;
    for (let row = 0; row < ds.count; row++) {
      const p = Array.from(probs.subarray(row * classes, (row + 1) * classes));
      const predicted = p.indexOf(Math.max(...p));
      if (v.json === true) {
        jsonLine(io, { row, probabilities: p, predicted, ...(names ? { label: names[predicted] } : {}) });
      } else {
        io.out(`${row}\t${names ? names[predicted] : predicted}\t${p.map((x) => x.toFixed(4)).join(' ')}`);
      }
    }
    return 0;
  });
}
