import { resolve } from 'node:path';
import { buildNetwork } from '../../core/network.js';
import { StudioError } from '../../core/errors.js';
import { Trainer, type EpochResult } from '../../core/trainer.js';
import { alignClasses, applyNormalization, matchFeatureNames, splitDataset, standardize } from '../../core/data/prepare.js';
import { encodeModel, tensorsFromParams } from '../../core/model/model-file.js';
import { trainingConfigSchema, type Normalization } from '../../core/spec.js';
import type { Dataset } from '../../core/data/dataset.js';
import { checkNotAnInput, checkWritableTarget, writeFileAtomic } from '../../node/atomic-write.js';
import { dataRange } from '../model.js';
import { initOption, labelColumnOption, numberOption, optimizerOption, usageError, type ParsedCommand } from '../args.js';
import { describeSpec, specFromCli } from '../network-spec.js';
import { splitTraining } from '../../core/training-split.js';
import { modelNetwork, readModelFile } from '../model.js';
import { checkRestatedParts, continuedSpec, dataForStart, namesANetwork } from '../start-model.js';
import { shapeSize } from '../../core/layers/shape.js';
import { specOutputShape } from '../../core/layers/registry.js';
import { featureNamesOf, loadDataFile, printWarnings } from '../data-files.js';
import type { LoadedData } from '../../core/data/read-data.js';
import { duration, fixed, jsonLine, thousands, type CliIO } from '../io.js';
import { computeOptions } from '../ops.js';
import { withCliOps } from '../with-ops.js';

export { specFromSizes, describeSpec } from '../network-spec.js';

export async function trainCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const json = v.json === true;
  const labelColumn = labelColumnOption(v);
  // Continue or fine-tune: the saved model decides the network, the columns, the classes and the
  // scaling, and its optimizer settings are the defaults (as in the exported project's train.py).
  const start = typeof v['init-from'] === 'string' ? await readModelFile(io, v['init-from']) : undefined;
  const was = start?.content.training;
  const config = trainingConfigSchema.parse({
    optimizer: v.optimizer === undefined && was ? was.optimizer : optimizerOption(v),
    learningRate: numberOption(v, 'lr', was?.learningRate ?? 0.1, { exclusiveMin: 0, max: 1000 }),
    batchSize: numberOption(v, 'batch', was?.batchSize ?? 100, { integer: true, min: 1, max: 65536 }),
    epochs: numberOption(v, 'epochs', 5, { integer: true, min: 1, max: 100000 }),
    seed: numberOption(v, 'seed', 1, { integer: true, min: 0, max: 2 ** 32 - 1 }),
    init: initOption(v),
    momentum: numberOption(v, 'momentum', was?.momentum ?? 0.9, { min: 0, max: 1 }),
    beta1: numberOption(v, 'beta1', was?.beta1 ?? 0.9, { min: 0, exclusiveMax: 1 }),
    beta2: numberOption(v, 'beta2', was?.beta2 ?? 0.999, { min: 0, exclusiveMax: 1 }),
    decay: numberOption(v, 'decay', was?.decay ?? 0.99, { min: 0, exclusiveMax: 1 }),
    ...(v['weight-decay'] !== undefined || was?.weightDecay !== undefined
      ? { weightDecay: numberOption(v, 'weight-decay', was?.weightDecay ?? 0, { min: 0, max: 100 }) }
      : {}),
    ...(v['no-shuffle'] === true ? { shuffle: false } : {}),
    ...(v['train-limit'] !== undefined ? { trainLimit: numberOption(v, 'train-limit', 0, { integer: true, min: 1, max: 100_000_000 }) } : {}),
  });
  const split = numberOption(v, 'split', 0, { min: 0, max: 0.9 });
  if (v.split !== undefined && v.test !== undefined) throw usageError('give either --test or --split, not both');
  if (v['test-labels'] !== undefined && v.test === undefined) throw usageError('--test-labels goes with --test (the labels of the test images)');
  const compute = computeOptions(v);

  if (typeof v.out === 'string') await checkWritableTarget(resolve(io.cwd, v.out), v.out);

  const modelLabelColumn = start?.content.labelColumn;
  const inputs: { path: string; shown: string }[] = [];
  const trainFile = await loadDataFile(io, {
    path: cmd.positionals[0]!,
    inputs,
    ...(typeof v.labels === 'string' ? { labelsPath: v.labels } : {}),
    ...(labelColumn !== undefined ? { labelColumn } : {}),
    ...(modelLabelColumn !== undefined ? { modelLabelColumn } : {}),
  });
  const startWarnings: string[] = [];
  let train: Dataset = start
    ? dataForStart(trainFile.dataset, start, cmd.positionals[0]!, featureNamesOf(trainFile), startWarnings)
    : trainFile.dataset;
  let test: Dataset | undefined;
  let testWarnings: string[] = [];
  if (typeof v.test === 'string') {
    const testFile = await loadDataFile(io, {
      path: v.test,
      inputs,
      labelsFlag: '--test-labels',
      ...(typeof v['test-labels'] === 'string' ? { labelsPath: v['test-labels'] } : {}),
      ...(labelColumn !== undefined ? { labelColumn } : {}),
      ...(modelLabelColumn !== undefined ? { modelLabelColumn } : {}),
    });
    testWarnings = [...testFile.warnings];
    test = start
      ? dataForStart(testFile.dataset, start, v.test, featureNamesOf(testFile), testWarnings)
      : testLikeTraining(testFile, trainFile, train, cmd.positionals[0]!, v.test, testWarnings);
  } else if (split > 0) {
    ({ train, test } = splitDataset(train, split, config.seed));
  }
  // After the test part is set aside, so the limit never moves a sample between train and test.
  if (config.trainLimit !== undefined) train = splitTraining(train, { seed: config.seed, trainLimit: config.trainLimit }).train;
  if (typeof v.out === 'string') await checkNotAnInput(resolve(io.cwd, v.out), inputs, v.out);
  // The raw training range, kept in the model so eval and predict notice data on another scale.
  const inputRange = dataRange(train);
  let normalization: Normalization | undefined;
  if (start) {
    // The model's weights were learned on its own scaling: the same statistics, not new ones.
    normalization = start.content.normalization;
    if (v.standardize === true && !normalization) {
      throw usageError(`--standardize: ${start.file} (--init-from) was trained on unstandardized values, which its weights expect`);
    }
    if (normalization) {
      train = applyNormalization(train, normalization);
      if (test) test = applyNormalization(test, normalization);
    }
  } else if (v.standardize === true) ({ train, test, normalization } = standardize(train, test));
  const warnings = [...trainFile.warnings, ...startWarnings, ...testWarnings];
  if (!normalization && !start) warnings.push(...unscaledWarning(train, trainFile));

  const classes = train.classNames.length;
  if (classes < 2) {
    throw new StudioError(
      'BAD_DATA',
      `every sample has the same class (${train.classNames[0] ?? 'none'}): a classifier needs at least 2 classes` +
        (trainFile.format === 'idx' ? '' : ' (is the label column the right one? choose it with --label)'),
      { file: cmd.positionals[0]! },
    );
  }
  const named = !start || namesANetwork(v)
    ? await specFromCli(io, v, {
      inputSize: train.features,
      ...(train.imageShape ? { imageShape: train.imageShape } : {}),
      defaultSizes: [50, classes],
    })
    : undefined;
  if (start) checkRestatedParts(start, v);
  const spec = start ? continuedSpec(start, named) : named!;
  const outputs = shapeSize(specOutputShape(spec));
  if (outputs !== classes) {
    throw usageError(`--layers ends with ${outputs} outputs, but the data has ${classes} classes (${train.classNames.slice(0, 10).join(', ')}${classes > 10 ? ', …' : ''})`);
  }
  return withCliOps(compute, io, async (ops) => {
    const network = buildNetwork(spec, { ops, init: config.init, seed: config.seed });
    // The saved weights (and BatchNorm statistics) replace the initializer's.
    if (start) network.copyParamsFrom(modelNetwork(start.content, start.file, ops));
    const trainer = new Trainer({ network, train, ...(test ? { test } : {}), config });

    printWarnings(io, warnings);
    if (!json) {
      io.out(`data: ${thousands(train.count)} training samples${test ? `, ${thousands(test.count)} test samples` : ''}, ${train.features} features, ${classes} classes`);
      io.out(`network: ${describeSpec(spec)}, ${thousands(network.parameterCount)} parameters; ${config.optimizer} lr ${config.learningRate}, batch ${config.batchSize}, ${config.epochs} epochs, init ${start ? `from ${start.file}` : config.init}, seed ${config.seed}, ${ops.name}`);
    }
    const onEpoch = (e: EpochResult): void => {
      if (json) {
        jsonLine(io, {
          event: 'epoch', epoch: e.epoch, loss: e.trainLoss, trainAccuracy: e.trainAccuracy,
          testAccuracy: e.testAccuracy ?? null, testLoss: e.testLoss ?? null, seconds: e.seconds,
        });
      } else {
        io.out(`epoch ${String(e.epoch).padStart(String(config.epochs).length)}/${config.epochs}  loss ${fixed(e.trainLoss)}  train acc ${fixed(e.trainAccuracy)}  test acc ${fixed(e.testAccuracy)}  ${duration(e.seconds)}`);
      }
    };
    // A batch loss of NaN/Inf, or (seen by finishEpoch) weights that overflow on the whole set.
    let divergedAt: { iteration: number; loss: number } | undefined;
    const result = trainer.run({
      onEpoch,
      onStep: (s) => {
        if (s.diverged) divergedAt = { iteration: s.iteration, loss: s.loss };
      },
    });

    let saved: string | undefined;
    if (typeof v.out === 'string' && result.reason === 'diverged') {
      // Weights of a diverged run hold NaN or Infinity: no file (an older one stays as it was).
      io.err(`backprop-studio: ${v.out} not written: the run diverged, its weights are not finite numbers`);
    } else if (typeof v.out === 'string') {
      saved = resolve(io.cwd, v.out);
      // A continued model's data was put in its column order: its names still describe the columns.
      const featureNames = start?.content.featureNames ?? featureNamesOf(trainFile);
      const bytes = encodeModel({
        spec, training: config, classNames: [...train.classNames],
        ...(trainFile.header && trainFile.labelColumn !== null ? { labelColumn: trainFile.header[trainFile.labelColumn]! } : {}),
        inputRange,
        ...(featureNames ? { featureNames } : {}),
        ...(normalization ? { normalization } : {}),
        tensors: tensorsFromParams(network.namedParams(), network.namedBuffers()),
      });
      await writeFileAtomic(saved, bytes, v.out);
    }
    const last = result.epochs[result.epochs.length - 1];
    if (json) {
      jsonLine(io, {
        event: 'done', reason: result.reason, epochs: result.epochs.length, iterations: result.iterations,
        ...(divergedAt ? { divergedAtIteration: divergedAt.iteration } : {}),
        loss: last?.trainLoss ?? result.lastLoss, trainAccuracy: last?.trainAccuracy ?? null,
        testAccuracy: last?.testAccuracy ?? null, model: saved ?? null,
      });
    } else {
      io.out(result.reason === 'diverged'
        ? `diverged: the loss became ${divergedAt?.loss ?? last?.trainLoss ?? result.lastLoss} at iteration ${divergedAt?.iteration ?? result.iterations}; try a smaller --lr`
        : `done: ${result.epochs.length} epoch${result.epochs.length === 1 ? '' : 's'}, ${thousands(result.iterations)} iterations` +
          (last ? `, train accuracy ${fixed(last.trainAccuracy)}${last.testAccuracy !== undefined ? `, test accuracy ${fixed(last.testAccuracy)}` : ''}` : '') +
          (saved ? `; model saved to ${v.out}` : ''));
    }
    return result.reason === 'diverged' ? 3 : 0;
  });
}

/** Beyond this, raw inputs usually stall SGD at the book's settings (digits' 0..16 already do). */
const LARGE_INPUT = 10;

/**
 * Raw features in the hundreds (pixel values 0..255, areas in mm²) make the first
 * products so large that ReLUs die or softmax saturates at the first steps: the
 * run "finishes" at chance accuracy with no error. Say so before it starts.
 */
function unscaledWarning(train: Dataset, file: { header: string[] | null; labelColumn: number | null }): string[] {
  let max = 0;
  let at = 0;
  const { x, scale, features } = train;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]! * scale);
    if (a > max) {
      max = a;
      at = i % features;
    }
  }
  if (!(max > LARGE_INPUT)) return [];
  // Feature index -> the file's column (the label column is not a feature).
  const column = file.labelColumn !== null && at >= file.labelColumn ? at + 1 : at;
  const name = file.header ? `column "${file.header[column]}"` : `column ${column + 1}`;
  return [
    `features reach ${Number(max.toPrecision(4))} (${name}); inputs this large often stall training ` +
      `(the loss stays near ln(classes)): consider --standardize`,
  ];
}

/** A --test file lined up with the training file: the same features (by name, when both have names), the same class indices. */
function testLikeTraining(
  testFile: LoadedData, trainFile: LoadedData, train: Dataset, trainPath: string, testPath: string, warnings: string[],
): Dataset {
  if (testFile.dataset.features !== train.features) {
    throw new StudioError(
      'BAD_DATA',
      `has ${thousands(testFile.dataset.features)} features per sample, the training file ${trainPath} has ${thousands(train.features)}`,
      { file: testPath },
    );
  }
  const trainNames = featureNamesOf(trainFile);
  const testNames = featureNamesOf(testFile);
  let testData = testFile.dataset;
  if (trainNames && testNames) {
    const matched = matchFeatureNames(testData, testNames, trainNames, testPath);
    testData = matched.dataset;
    if (matched.note) warnings.push(matched.note);
  }
  return alignClasses(testData, train.classNames, testPath);
}
