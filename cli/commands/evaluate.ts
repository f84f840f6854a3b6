import { confusionMatrix, evaluateDataset } from '../../core/evaluation.js';
import { alignClasses } from '../../core/data/prepare.js';
import { modelClassNames } from '../../core/model/model-file.js';
import { labelColumnOption, type ParsedCommand } from '../args.js';
import { featureNamesOf, loadDataFile, printWarnings, requireLabelColumn } from '../data-files.js';
import { fixed, jsonLine, thousands, type CliIO } from '../io.js';
import { loadModel, prepareForModel } from '../model.js';
import { computeOptions } from '../ops.js';
import { withCliOps } from '../with-ops.js';

/** Loss and accuracy of a saved model on a labelled data file. */
export async function evalCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const [modelPath, dataPath] = cmd.positionals as [string, string];
  const labelColumn = labelColumnOption(v);
  return withCliOps(computeOptions(v), io, async (ops) => {
    const model = await loadModel(io, modelPath, ops);
    const loaded = await loadDataFile(io, {
      path: dataPath,
      ...(typeof v.labels === 'string' ? { labelsPath: v.labels } : {}),
      ...(labelColumn !== undefined ? { labelColumn } : {}),
      ...(model.content.labelColumn !== undefined ? { modelLabelColumn: model.content.labelColumn } : {}),
    });
    requireLabelColumn(loaded, model.content.spec.inputSize, dataPath, labelColumn !== undefined);
    const classNames = modelClassNames(model.content);
    const warnings = [...loaded.warnings];
    const ds = alignClasses(prepareForModel(loaded.dataset, model, dataPath, warnings, featureNamesOf(loaded)), classNames, dataPath);
    printWarnings(io, warnings);
    const result = evaluateDataset(model.network, ds);
    if (v.json === true) {
      jsonLine(io, { event: 'eval', loss: result.loss, lossKind: model.content.spec.loss, accuracy: result.accuracy, samples: result.samples });
    } else {
      // Which loss: squared error and cross-entropy are on different scales.
      const loss = model.content.spec.loss === 'mse' ? 'loss (mean squared error)' : 'loss';
      io.out(`${dataPath}: ${thousands(result.samples)} samples, ${loss} ${fixed(result.loss)}, accuracy ${fixed(result.accuracy)}`);
      printPerClass(io, confusionMatrix(model.network, ds), classNames);
    }
    return 0;
  });
}

/** More classes than this make a table nobody reads in a terminal. */
const MAX_TABLE_CLASSES = 50;

/**
 * Where the errors are: per true class, its samples, how many were right, and the
 * class it is most often mistaken for. A class the file lacks shows as such.
 */
function printPerClass(io: CliIO, counts: Int32Array, classNames: readonly string[]): void {
  const k = classNames.length;
  if (k > MAX_TABLE_CLASSES) {
    io.out(`(${thousands(k)} classes: the per-class table is left out; --json gives the totals)`);
    return;
  }
  const w = Math.max(5, ...classNames.map((c) => c.length));
  io.out(`${'class'.padEnd(w)}  ${'samples'.padStart(7)}  ${'accuracy'.padStart(8)}  most often taken for`);
  for (let t = 0; t < k; t++) {
    const row = counts.subarray(t * k, (t + 1) * k);
    const n = row.reduce((a, b) => a + b, 0);
    let worst = -1;
    for (let p = 0; p < k; p++) if (p !== t && row[p]! > 0 && (worst < 0 || row[p]! > row[worst]!)) worst = p;
    const confused = worst < 0 ? '' : `${classNames[worst]} (${thousands(row[worst]!)})`;
    io.out(`${classNames[t]!.padEnd(w)}  ${thousands(n).padStart(7)}  ${(n === 0 ? 'none' : fixed(row[t]! / n)).padStart(8)}  ${confused}`.trimEnd());
  }
}