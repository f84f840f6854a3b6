/**
 * The one error type that crosses every boundary (CLI, protocol, UI). `code` is
 * stable and machine-readable; `message` is one line a person can act on and
 * already names the place (file:line:column, field) when there is one.
 */
export const ERROR_CODES = [
  'BAD_USAGE', // wrong CLI flags or arguments
  'BAD_MESSAGE', // a protocol message that failed validation
  'BAD_SPEC', // a network spec or training config that cannot work
  'BAD_DATA', // a data file that cannot be read (CSV, IDX)
  'NOT_A_NUMBER', // a table cell that must be a number holds text (where: file, line, column)
  'BAD_MODEL', // a model file that cannot be read
  'TOO_LARGE', // a size limit was hit
  'SHAPE_MISMATCH', // data and network disagree
  'NOT_READY', // a command that needs a network, data or a run that is not there
  'IO', // the file system refused
  'UNAVAILABLE', // a native library this machine cannot load (the engine falls back to WebAssembly)
  'INTERNAL', // a bug: should never be seen
] as const;

/** The one list of error codes: the protocol's schema is built from it (core/protocol/messages.ts). */
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPlace {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export class StudioError extends Error {
  override readonly name = 'StudioError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly where: ErrorPlace = {},
  ) {
    super(oneLine(formatPlace(where) + message));
  }
}

/**
 * Messages quote what they refuse (a cell, a file name, JSON.parse's snippet), and
 * that text may hold line breaks: shown as \n so that every message stays one line.
 */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n');
}

/** `file:line:column: ` or `file: field x: ` — the prefix a compiler would print. */
export function formatPlace(where: ErrorPlace): string {
  let p = where.file ?? '';
  if (where.line !== undefined) p += `${p ? ':' : 'line '}${where.line}`;
  if (where.column !== undefined) p += `:${where.column}`;
  if (where.field !== undefined) p += `${p ? ': ' : ''}field ${where.field}`;
  return p ? `${p}: ` : '';
}

export function isStudioError(e: unknown): e is StudioError {
  return e instanceof StudioError;
}

/** Any thrown value as a one-line message (no stack). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
