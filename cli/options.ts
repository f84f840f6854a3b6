import type { ParseArgsConfig } from 'node:util';
import { INITIALIZERS, OPTIMIZERS } from '../core/spec.js';
import { LAYER_TABLE } from '../core/layers/registry.js';

/**
 * THE table of the CLI: every command and every option once, with its help text.
 * The parser's option lists and `--help` are both generated from it, so the help
 * cannot drift from what the parser accepts.
 */

export const COMMANDS = {
  train: { args: '<train-file>', min: 1, max: 1, help: 'train a network; prints loss and accuracy after every epoch' },
  eval: { args: '<model> <data-file>', min: 2, max: 2, help: 'loss and accuracy of a saved model on labelled data' },
  predict: { args: '<model> <data-file>', min: 2, max: 2, help: 'class probabilities and the predicted class of every row' },
  gradcheck: { args: '', min: 0, max: 0, help: 'backprop against central differences in float64, one row per parameter' },
  export: {
    args: '<model>', min: 1, max: 1,
    help: 'the model as ONNX, a NumPy .npz, or a PyTorch project folder (model.py, train.py for torchrun)',
  },
} as const;
export type CommandName = keyof typeof COMMANDS;

interface OptionDoc {
  type: 'string' | 'boolean';
  short?: string;
  /** How the value is shown in the help (--lr <0.1>). */
  value?: string;
  help: string;
  commands: readonly CommandName[];
}

const ALL = Object.keys(COMMANDS) as CommandName[];
const DATA: CommandName[] = ['train', 'eval', 'predict'];
const NETWORK: CommandName[] = ['train', 'gradcheck'];

const layerTokens = LAYER_TABLE.map((e) => e.tokenSyntax).join(', ');

/** In the order the parser lists them when a flag is unknown. */
export const OPTIONS: Record<string, OptionDoc> = {
  json: { type: 'boolean', help: 'one JSON object per line instead of text', commands: ALL },
  help: { type: 'boolean', short: 'h', help: 'this text', commands: ALL },
  labels: { type: 'string', value: 'file', help: 'the IDX labels file (default: found beside the images by name)', commands: DATA },
  label: {
    type: 'string', value: 'column',
    help: 'CSV/TSV label column: a header name, or a 0-based index (-1: the last; default)', commands: DATA,
  },
  test: { type: 'string', value: 'file', help: 'held-out data, evaluated after every epoch', commands: ['train'] },
  'test-labels': { type: 'string', value: 'file', help: 'the IDX labels of the --test images', commands: ['train'] },
  split: { type: 'string', value: '0.2', help: 'without --test: hold out this share (0..0.9) of the train file, chosen by --seed', commands: ['train'] },
  'train-limit': {
    type: 'string', value: 'N',
    help: 'train on N samples of the training part only, chosen by --seed (the book\'s overfitting demo: 300)', commands: ['train'],
  },
  layers: {
    type: 'string', value: 'list',
    help: `sizes after the input (50,10: the last is the number of classes), or layer tokens: ${layerTokens} ` +
      '(conv30x5,relu,pool2,fc100,relu,fc10)',
    commands: NETWORK,
  },
  spec: { type: 'string', value: 'net.json', help: 'the network as JSON: {"layers": [...]} or a model\'s whole __metadata__ spec', commands: NETWORK },
  'input-shape': {
    type: 'string', value: 'CxHxW',
    help: 'read every row as an image of C channels, H rows and W columns (1x28x28; IDX images have theirs)', commands: NETWORK,
  },
  activation: { type: 'string', value: 'relu|sigmoid|tanh', help: 'between the sizes of --layers 50,10 (default relu)', commands: NETWORK },
  loss: { type: 'string', value: 'softmax|mse', help: 'softmax with cross-entropy (default), or mean squared error against one-hot targets', commands: NETWORK },
  optimizer: { type: 'string', value: OPTIMIZERS.join('|'), help: 'the book\'s update rules (default sgd)', commands: ['train'] },
  lr: { type: 'string', value: '0.1', help: 'learning rate', commands: ['train'] },
  momentum: { type: 'string', value: '0.9', help: 'momentum and nesterov: the velocity\'s decay', commands: ['train'] },
  beta1: { type: 'string', value: '0.9', help: 'adam: decay of the first moment', commands: ['train'] },
  beta2: { type: 'string', value: '0.999', help: 'adam: decay of the second moment', commands: ['train'] },
  decay: { type: 'string', value: '0.99', help: 'rmsprop: decay of the squared-gradient average (the book\'s decay_rate, PyTorch\'s alpha)', commands: ['train'] },
  'weight-decay': { type: 'string', value: 'λ', help: 'the book\'s weight decay: loss + ½λΣW² over conv and affine weights (default 0)', commands: NETWORK },
  batch: { type: 'string', value: '100', help: 'samples per step (gradcheck: rows of random inputs, default 3)', commands: NETWORK },
  epochs: { type: 'string', value: '5', help: 'passes over the training set', commands: ['train'] },
  init: {
    type: 'string', value: INITIALIZERS.join('|'),
    help: 'std: 0.01 x randn, the book\'s TwoLayerNet (train default); xavier: randn/√fan_in; he: randn·√(2/fan_in)', commands: NETWORK,
  },
  'init-from': { type: 'string', value: 'model.safetensors', help: 'continue or fine-tune a saved model: its weights, network, columns, classes and scaling; its optimizer settings unless given', commands: ['train'] },
  seed: { type: 'string', value: '1', help: 'weights, shuffles, Dropout and --split; the same seed gives the same run', commands: NETWORK },
  'no-shuffle': { type: 'boolean', help: 'visit the training samples in file order every epoch', commands: ['train'] },
  standardize: { type: 'boolean', help: 'scale features by the training set\'s mean and std (kept in the model)', commands: ['train'] },
  inputs: { type: 'string', value: '12', help: 'gradcheck without --input-shape: features of the random inputs', commands: ['gradcheck'] },
  threads: { type: 'string', value: 'N', help: 'kernel threads (default: all cores)', commands: DATA },
  backend: {
    type: 'string', value: 'auto|native|wasm|reference',
    help: 'auto (default): products on ONNX Runtime\'s native kernels where they load, else WebAssembly SIMD; reference: plain TypeScript', commands: DATA,
  },
  format: { type: 'string', value: 'onnx|npz|pytorch', help: 'what export writes', commands: ['export'] },
  out: { type: 'string', value: 'path', help: 'train: the model file to write (model.safetensors); export: the file or folder', commands: ['train', 'export'] },
  force: { type: 'boolean', help: 'export: replace an existing PyTorch project folder', commands: ['export'] },
};

/** node:util parseArgs options of one command, in table order. */
export function parserOptions(command: CommandName): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(OPTIONS)) {
    if (!o.commands.includes(command)) continue;
    out[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  }
  return out;
}

/** Width of the name column in `--help`; a longer name puts its description on the next line. */
const NAME_COLUMN = 28;

/** One row of `--help`: the name, then its description in the second column, never run together. */
function helpRow(name: string, help: string): string[] {
  if (name.length < NAME_COLUMN - 1) return [`  ${name.padEnd(NAME_COLUMN)}${help}`];
  return [`  ${name}`, `  ${''.padEnd(NAME_COLUMN)}${help}`];
}

/** The whole `--help` text, from the tables above. */
export function usageText(): string {
  const lines = ['Usage: backprop-studio <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(...helpRow(`${name} ${c.args}`, c.help));
  for (const command of ALL) {
    lines.push('', `Options of ${command}:`);
    for (const [name, o] of Object.entries(OPTIONS)) {
      if (!o.commands.includes(command) || name === 'json' || name === 'help') continue;
      lines.push(...helpRow(`--${name}${o.value ? ` <${o.value}>` : ''}`, o.help));
    }
  }
  lines.push(
    '',
    'Every command takes --json (one JSON object per line) and --help.',
    'Data files: CSV/TSV (header detected) or IDX images (plain or .gz).',
    'Models: safetensors files written by `train --out`.',
    'Exit codes: 0 done, 1 bad file or failure, 2 wrong usage, 3 training diverged.',
  );
  return lines.join('\n');
}
