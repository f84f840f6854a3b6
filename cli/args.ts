import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StudioError } from '../core/errors.js';
import { ACTIVATIONS, INITIALIZERS, LIMITS, OPTIMIZERS, type ActivationKind } from '../core/spec.js';
import { COMMANDS, parserOptions, usageText, type CommandName } from './options.js';

/**
 * Command-line parsing: node's own util.parseArgs (strict, so a typo is an error,
 * not a silently ignored flag) plus typed checks that name the flag at fault.
 */

/** `--help`, generated from the option table (cli/options.ts). */
export const USAGE = usageText();

export type { CommandName } from './options.js';

/** Each command's parseArgs options, generated from the option table. */
export const commandOptions = Object.fromEntries(
  (Object.keys(COMMANDS) as CommandName[]).map((c) => [c, parserOptions(c)]),
) as Record<CommandName, NonNullable<ParseArgsConfig['options']>>;

export interface ParsedCommand {
  command: CommandName;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

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
  const options: ParseArgsConfig['options'] = commandOptions[name];
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(rest, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(`${name}: ${describeParseError((e as Error).message, Object.keys(options))}`);
  }
  if (parsed.values.help) return null;
  const { min, max, args: names } = COMMANDS[name];
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw usageError(
      max === 0
        ? `${name} takes no file arguments (got ${parsed.positionals.join(' ')})`
        : `${name} needs ${names} (got ${parsed.positionals.length} argument${parsed.positionals.length === 1 ? '' : 's'})`,
    );
  }
  return { command: name, positionals: parsed.positionals, values: parsed.values as ParsedCommand['values'] };
}

/**
 * `--label -1` and `--lr -0.5` mean the value -1 and -0.5, but util.parseArgs reads a
 * value that starts with '-' as another option and refuses it as "ambiguous". A
 * negative number after an option that takes a value is joined to it (`--label=-1`).
 */
function joinNegativeValues(args: readonly string[], options: ParseArgsConfig['options']): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const flag = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    if (flag !== undefined && options?.[flag]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * util.parseArgs messages span several lines and suggest `-- "--bogus"`, which helps
 * nobody here; keep the first sentence and name the option the user probably meant.
 */
function describeParseError(message: string, known: string[]): string {
  const first = message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
  const ambiguous = /^Option '(--[^' ]+)' argument is ambiguous/.exec(first);
  if (ambiguous) return `${first.replace(/\.$/, '')}: to give a value that starts with '-', write ${ambiguous[1]}=VALUE`;
  const unknown = /^Unknown option '--?([^']+)'/.exec(first);
  if (!unknown) return first;
  const guess = closestName(unknown[1]!, known);
  return guess ? `${first}; did you mean --${guess}?` : `${first} (the options are --${known.join(', --')})`;
}

/** The known name within two edits (or sharing a 4-letter prefix) of what was typed. */
function closestName(typed: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(typed.toLowerCase(), k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best ?? known.find((k) => typed.length >= 4 && (k.startsWith(typed) || typed.startsWith(k)));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
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
