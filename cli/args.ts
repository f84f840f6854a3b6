import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StudioError } from '../core/errors.js';
import { ACTIVATIONS, INITIALIZERS, OPTIMIZERS, type ActivationKind } from '../core/spec.js';

/**
 * Command-line parsing: node's own util.parseArgs (strict, so a typo is an error,
 * not a silently ignored flag) plus typed checks that name the flag at fault.
 */

export const USAGE = `Usage: backprop-studio <command> [options]

Commands:
  train <train-file> [--test <file>] [--labels <idx-labels-file>] [--label <column>]
        [--split 0.2] [--layers 50,10] [--activation relu|sigmoid|tanh]
        [--optimizer sgd|momentum|adagrad|adam] [--lr 0.1] [--batch 100] [--epochs 5]
        [--seed 1] [--init std|xavier|he] [--standardize] [--threads N]
        [--out model.safetensors] [--json]
  eval <model> <data-file> [--labels <file>] [--label <column>] [--json]
  predict <model> <data-file> [--label <column>] [--json]
  gradcheck [--layers 10,3] [--activation relu|sigmoid|tanh] [--inputs 12] [--seed 1] [--json]

Data files: CSV/TSV (header detected, label column by name or index, default last)
or IDX images (plain or .gz; the labels file beside it is found by name).
Models: safetensors files written by \`train --out\`.`;

const commonOptions = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const dataOptions = {
  labels: { type: 'string' },
  label: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const commandOptions = {
  train: {
    ...commonOptions,
    ...dataOptions,
    test: { type: 'string' },
    split: { type: 'string' },
    layers: { type: 'string' },
    activation: { type: 'string' },
    optimizer: { type: 'string' },
    lr: { type: 'string' },
    batch: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    init: { type: 'string' },
    standardize: { type: 'boolean' },
    threads: { type: 'string' },
    out: { type: 'string' },
  },
  eval: { ...commonOptions, ...dataOptions, threads: { type: 'string' } },
  predict: { ...commonOptions, ...dataOptions, threads: { type: 'string' } },
  gradcheck: {
    ...commonOptions,
    layers: { type: 'string' },
    activation: { type: 'string' },
    inputs: { type: 'string' },
    seed: { type: 'string' },
  },
} as const satisfies Record<string, ParseArgsConfig['options']>;

export type CommandName = keyof typeof commandOptions;

export interface ParsedCommand {
  command: CommandName;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

const positionalCount: Record<CommandName, [min: number, max: number, names: string]> = {
  train: [1, 1, '<train-file>'],
  eval: [2, 2, '<model> <data-file>'],
  predict: [2, 2, '<model> <data-file>'],
  gradcheck: [0, 0, ''],
};

export function usageError(message: string): StudioError {
  return new StudioError('BAD_USAGE', message);
}

/** Returns null for `--help`/no command (print usage). */
export function parseCommandLine(argv: readonly string[]): ParsedCommand | null {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return null;
  if (!(command in commandOptions)) {
    throw usageError(`unknown command '${command}' (expected one of: ${Object.keys(commandOptions).join(', ')})`);
  }
  const name = command as CommandName;
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: commandOptions[name], allowPositionals: true, strict: true });
  } catch (e) {
    // util.parseArgs messages are already one line ("Unknown option '--foo'").
    throw usageError(`${name}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed.values.help) return null;
  const [min, max, names] = positionalCount[name];
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw usageError(
      max === 0
        ? `${name} takes no file arguments (got ${parsed.positionals.join(' ')})`
        : `${name} needs ${names} (got ${parsed.positionals.length} argument${parsed.positionals.length === 1 ? '' : 's'})`,
    );
  }
  return { command: name, positionals: parsed.positionals, values: parsed.values as ParsedCommand['values'] };
}

// ---- typed option readers: each names the flag in its error ----

export function numberOption(
  values: ParsedCommand['values'], flag: string, fallback: number,
  check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number; exclusiveMax?: number } = {},
): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw usageError(`--${flag} must be a number, got '${raw}'`);
  if (check.integer && !Number.isInteger(v)) throw usageError(`--${flag} must be a whole number, got '${raw}'`);
  if (check.min !== undefined && v < check.min) throw usageError(`--${flag} must be at least ${check.min}, got ${v}`);
  if (check.max !== undefined && v > check.max) throw usageError(`--${flag} must be at most ${check.max}, got ${v}`);
  if (check.exclusiveMin !== undefined && v <= check.exclusiveMin)
    throw usageError(`--${flag} must be greater than ${check.exclusiveMin}, got ${v}`);
  if (check.exclusiveMax !== undefined && v >= check.exclusiveMax)
    throw usageError(`--${flag} must be less than ${check.exclusiveMax}, got ${v}`);
  return v;
}

export function choiceOption<T extends string>(
  values: ParsedCommand['values'], flag: string, choices: readonly T[], fallback: T,
): T {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw usageError(`--${flag} must be one of ${choices.join('|')}, got '${raw}'`);
  return raw as T;
}

/** `--layers 50,10` → [50, 10]: sizes after the input; the last is the number of classes. */
export function layersOption(values: ParsedCommand['values'], fallback: number[]): number[] {
  const raw = values.layers;
  if (raw === undefined) return fallback;
  const parts = String(raw).split(',').map((s) => s.trim());
  const sizes = parts.map((p) => Number(p));
  if (parts.length === 0 || parts.some((p, i) => p === '' || !Number.isInteger(sizes[i]) || sizes[i]! < 1)) {
    throw usageError(`--layers must be positive whole numbers separated by commas (like 50,10), got '${raw}'`);
  }
  return sizes;
}

export function activationOption(values: ParsedCommand['values']): ActivationKind {
  return choiceOption(values, 'activation', ACTIVATIONS, 'relu');
}
export const optimizerOption = (v: ParsedCommand['values']) => choiceOption(v, 'optimizer', OPTIMIZERS, 'sgd');
export const initOption = (v: ParsedCommand['values']) => choiceOption(v, 'init', INITIALIZERS, 'std');

/** A label column given as a 0-based index when all digits, else a header name. */
export function labelColumnOption(values: ParsedCommand['values']): string | number | undefined {
  const raw = values.label;
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (text === '') throw usageError('--label must name a column or give its 0-based index');
  return /^\d+$/.test(text) ? Number(text) : text;
}
