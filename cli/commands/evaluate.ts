import { evaluateDataset } from '../../core/trainer.js';
import { alignClasses } from '../../core/data/prepare.js';
import { labelColumnOption, type ParsedCommand } from '../args.js';
import { loadDataFile, printWarnings, requireLabelColumn } from '../data-files.js';
import { fixed, jsonLine, thousands, type CliIO } from '../io.js';
import { loadModel, prepareForModel } from '../model.js';
import { threadsOption } from '../ops.js';
import { withCliOps } from '../with-ops.js';

/** Loss and accuracy of a saved model on a labelled data file. */
export async function evalCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const [modelPath, dataPath] = cmd.positionals as [string, string];
  const labelColumn = labelColumnOption(v);
  return withCliOps(threadsOption(v), async (ops) => {
    const model = await loadModel(io, modelPath, ops);
    const loaded = await loadDataFile(io, {
      path: dataPath,
      ...(typeof v.labels === 'string' ? { labelsPath: v.labels } : {}),
      ...(labelColumn !== undefined ? { labelColumn } : {}),
      ...(model.content.labelColumn !== undefined ? { modelLabelColumn: model.content.labelColumn } : {}),
    });
    requireLabelColumn(loaded, model.content.spec.inputSize, dataPath, labelColumn !== undefined);
    const classNames = model.content.classNames ?? Array.from({ length: model.network.outputSize }, (_, i) => String(i));
    const ds = alignClasses(prepareForModel(loaded.dataset, model, dataPath), classNames, dataPath);
    printWarnings(io, loaded.warnings);
    const result = evaluateDataset(model.network, ds);
    if (v.json === true) jsonLine(io, { event: 'eval', loss: result.loss, accuracy: result.accuracy, samples: result.samples });
    else io.out(`${dataPath}: ${thousands(result.samples)} samples, loss ${fixed(result.loss)}, accuracy ${fixed(result.accuracy)}`);
    return 0;
  });
}
