#!/usr/bin/env node
// Replays the engine's SimpleConvNet run (issue 10) in PyTorch: start.ts writes the engine's
// initial weights and batch order, replay.py trains from them (Debian's /usr/bin/python3 with
// python3-torch). --order torch / --init torch use PyTorch's own shuffle or init instead;
// --order torch-separate draws PyTorch's shuffle from a generator of its own.
//   node bench/torch-replay/run.mjs --seed 1 --epochs 3 --data /usr/share/datasets/fashion-mnist
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '3' },
    data: { type: 'string' },
    order: { type: 'string', default: 'engine' },
    init: { type: 'string', default: 'engine' },
    threads: { type: 'string', default: '2' },
  },
});
if (!values.data) {
  console.error('usage: node bench/torch-replay/run.mjs --data <folder with the Fashion-MNIST IDX files> [--seed 1] [--epochs 3] [replay.py flags]');
  process.exit(2);
}
const outDir = join(root, '.cache', 'torch-replay');
mkdirSync(outDir, { recursive: true });
const script = join(outDir, 'start.mjs');
await build({ entryPoints: [join(here, 'start.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'warning' });
const start = join(outDir, `start-seed${values.seed}.json`);
const made = spawnSync(process.execPath, [script, start, String(values.seed), String(values.epochs), '60000'], { stdio: 'inherit' });
if (made.status !== 0) process.exit(made.status ?? 1);
const flags = ['--order', String(values.order), '--init', String(values.init), '--threads', String(values.threads)];
const r = spawnSync('/usr/bin/python3', [join(here, 'replay.py'), start, String(values.data), ...flags], { stdio: 'inherit' });
process.exit(r.status ?? 1);
