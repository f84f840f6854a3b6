#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/cli by `npm run build:cli` (run on npm install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/backprop-studio.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('backprop-studio: the CLI is not built yet; run `npm run build:cli` in the project folder\n');
  process.exit(1);
}
await import(bundle);
