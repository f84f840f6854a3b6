/**
 * `train --init-from model.safetensors`: continue or fine-tune a saved model. The
 * model fixes what its weights were learned for: the network (the flags may only
 * restate it), the feature columns and their order, the classes and their output
 * indices, the standardization. Data that differs is lined up with the model or
 * refused with the reason, never fed to the weights as if it were the same.
 */
import type { Dataset } from '../core/data/dataset.js';
import { alignClasses } from '../core/data/prepare.js';
import { modelClassNames, type ModelFileContent } from '../core/model/model-file.js';
import type { NetworkSpec } from '../core/spec.js';
import { usageError, type ParsedCommand } from './args.js';
import { describeSpec, inputShapeOption, lossOption } from './network-spec.js';
import { lineUpWithModel } from './model.js';

export interface StartModel {
  file: string;
  content: ModelFileContent;
}

/** --layers or --spec: a whole network, which with --init-from must be the model's. */
export function namesANetwork(v: ParsedCommand['values']): boolean {
  return v.layers !== undefined || v.spec !== undefined;
}

/**
 * Without --layers or --spec, the network flags that describe one part of it
 * (--input-shape, --loss) may restate the model's; --activation only shapes a
 * --layers size list.
 */
export function checkRestatedParts(start: StartModel, v: ParsedCommand['values']): void {
  if (namesANetwork(v)) return;
  const own = start.content.spec;
  if (v.activation !== undefined) {
    throw usageError(`--activation goes with a --layers size list; --init-from ${start.file} continues the model's network, ${networkWords(own)}`);
  }
  const shape = inputShapeOption(v, own.inputSize);
  if (shape && JSON.stringify(shape) !== JSON.stringify(own.inputShape ?? null)) {
    throw usageError(`--input-shape ${shape.join('x')}: the model ${start.file} (--init-from) reads ${own.inputShape ? `images of ${own.inputShape.join('x')}` : `${own.inputSize} flat values`}`);
  }
  const loss = lossOption(v);
  if (v.loss !== undefined && loss !== own.loss) {
    throw usageError(`--loss ${String(v.loss)}: the model ${start.file} (--init-from) was trained with ${own.loss === 'mse' ? 'mean squared error' : 'softmax with cross-entropy'}`);
  }
}

function sameNetwork(a: NetworkSpec, b: NetworkSpec): boolean {
  const key = (s: NetworkSpec): string => JSON.stringify([s.inputSize, s.inputShape ?? null, s.layers, s.loss]);
  return key(a) === key(b);
}

/** 4-50-3 (relu), with the loss when it is not the default softmax with cross-entropy. */
function networkWords(s: NetworkSpec): string {
  return `${describeSpec(s)}${s.loss === 'mse' ? ' with mean squared error' : ''}`;
}

/** The model's network; `named` (from the flags) must be the same one, or the weights would not fit. */
export function continuedSpec(start: StartModel, named: NetworkSpec | undefined): NetworkSpec {
  const own = start.content.spec;
  if (named && !sameNetwork(named, own)) {
    throw usageError(
      `--init-from ${start.file}: the model's network is ${networkWords(own)}, the flags name ${networkWords(named)}; ` +
        'leave out --layers and --spec to continue the model\'s own network',
    );
  }
  return own;
}

/**
 * A data file as the model knows its data: the feature columns in the trained order
 * (by name, when both have names), each class at the model's output for it, and a
 * warning when the values are on another scale than the model was trained on.
 */
export function dataForStart(
  ds: Dataset, start: StartModel, file: string, featureNames: readonly string[] | undefined, warnings: string[],
): Dataset {
  const lined = lineUpWithModel(ds, start, file, warnings, featureNames, `${start.file} (--init-from)`);
  return alignClasses(lined, modelClassNames(start.content), file);
}
