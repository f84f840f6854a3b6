/** Where the CLI writes: injected so tests run commands in-process and read what they print. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Resolve user-given paths against this folder. */
  cwd: string;
}

/**
 * Set when the reader of stdout went away (`train … | head -1`): the command goes
 * on (a model still gets saved) and prints nothing more to stdout.
 */
let stdoutClosed = false;

/** Standard output's EPIPE: the reader's choice, not an error. Anything else is still thrown. */
export function onStdoutError(e: NodeJS.ErrnoException): void {
  // Writes queued before the error arrive as "stream destroyed" once it is closed.
  if (e.code !== 'EPIPE' && !(stdoutClosed && e.code === 'ERR_STREAM_DESTROYED')) throw e;
  stdoutClosed = true;
}

export const processIO: CliIO = {
  out: (line) => {
    if (!stdoutClosed) process.stdout.write(line + '\n');
  },
  err: (line) => process.stderr.write(line + '\n'),
  cwd: process.cwd(),
};

/** Emit one JSON object per line (the `--json` contract: nothing else on stdout). */
export function jsonLine(io: CliIO, value: Record<string, unknown>): void {
  io.out(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

export function fixed(v: number | undefined | null, digits = 4): string {
  return v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** An epoch's time: milliseconds while under a tenth of a second (a small CSV trains in 2 ms, not "0.00 s"). */
export function duration(seconds: number): string {
  return seconds < 0.1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(2)} s`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}
