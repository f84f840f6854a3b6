// Bundle the CLI (core + node shells + the WebAssembly kernels) into one ESM file
// for `backprop-studio`. The kernels are built first; build-wasm skips up-to-date work.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const wasm = spawnSync(process.execPath, ['scripts/build-wasm.mjs'], { cwd: root, stdio: 'inherit' });
if (wasm.status !== 0) {
  process.stderr.write(`build:cli: building the WebAssembly kernels failed (exit code ${wasm.status ?? wasm.signal})\n`);
  process.exit(1);
}

await build({
  absWorkingDir: root,
  entryPoints: ['cli/bin.ts'],
  outfile: 'dist/cli/backprop-studio.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Some dependencies (write-file-atomic) are CommonJS and use require, __filename and
  // __dirname, which an ES module does not have: define them at the top of the bundle.
  banner: {
    js: [
      "import { createRequire as __bpsRequire } from 'node:module';",
      "import { fileURLToPath as __bpsPath } from 'node:url';",
      'const require = __bpsRequire(import.meta.url);',
      'const __filename = __bpsPath(import.meta.url);',
      "const __dirname = __bpsPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  logLevel: 'warning',
});
