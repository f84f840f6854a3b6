import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { runCli } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';
import { Rng } from '../../core/rng.js';
import { encodeIdx } from '../../scripts/mnist-idx.mjs';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** Run the CLI in-process with a working folder, collecting what it prints. */
export async function cli(cwd: string, ...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l), cwd };
  const code = await runCli(argv, io);
  return { code, out, err };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bps-cli-'));
}

/**
 * Three gaussian blobs in 4-D with string labels, plus a scale on one feature so
 * standardization matters. Separable, so a small net gets near 100%.
 */
export function writeBlobsCsv(dir: string, name: string, rows: number, seed: number): string {
  const rng = new Rng(seed);
  const names = ['alpha', 'beta', 'gamma'];
  const centres = [[0, 0, 0, 0], [3, 3, 0, 1], [0, 3, 3, -1]];
  const lines = ['f1,f2,f3,f4,kind'];
  for (let i = 0; i < rows; i++) {
    const k = i % 3;
    const c = centres[k]!;
    const f = c.map((m) => m + 0.5 * rng.normal());
    f[3] = f[3]! * 100 + 500; // a feature on another scale
    lines.push(`${f.map((x) => x.toFixed(4)).join(',')},${names[k]}`);
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** A tiny MNIST-shaped IDX pair (gzip): class k lights up row block k of a 6x6 image. */
export function writeIdxPair(dir: string, prefix: 'train' | 't10k', count: number, seed: number): void {
  const rng = new Rng(seed);
  const h = 6, w = 6, classes = 3;
  const images = new Uint8Array(count * h * w);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    labels[i] = k;
    for (let p = 0; p < h * w; p++) {
      const row = Math.floor(p / w);
      const lit = Math.floor(row / 2) === k;
      images[i * h * w + p] = Math.min(255, Math.max(0, Math.round((lit ? 200 : 30) + 25 * rng.normal())));
    }
  }
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([count, h, w], images)));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([count], labels)));
}

export function jsonLines(run: CliRun): Record<string, unknown>[] {
  return run.out.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** One line on stderr, the given exit code, no stack trace; returns the line. */
export async function failsWith(dir: string, code: number, ...argv: string[]): Promise<string> {
  const run = await cli(dir, ...argv);
  expect(run.code).toBe(code);
  expect(run.err).toHaveLength(1);
  expect(run.err[0]).not.toMatch(/\n|\s+at \S+ \(/);
  return run.err[0]!;
}

/** iris-like rows with the label first and named: the default (last) column is a feature. */
export function labelFirstCsv(dir: string, name: string): void {
  const rows = ['species,a,b'];
  for (let i = 0; i < 30; i++) rows.push(`${['setosa', 'virginica'][i % 2]},${(i % 2) * 3 + (i % 5) * 0.1},${i % 7}`);
  writeFileSync(join(dir, name), rows.join('\n') + '\n');
}

/** The bundled CLI (`npm run build:cli`, which `npm test` runs first); tests of it as a process skip, saying so, without it. */
export const BUILT_CLI = fileURLToPath(new URL('../../dist/cli/backprop-studio.mjs', import.meta.url));
export const builtCliExists = existsSync(BUILT_CLI);

export interface ProcessRun {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Run `node script ...args` as a process in `cwd`, killed after 120 s (a hang fails the caller's checks). */
export function runNodeScript(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<ProcessRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd, env, timeout: 120_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}
