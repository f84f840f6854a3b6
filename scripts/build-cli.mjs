// Bundle the CLI (core + node shells) into one ESM file for `backprop-studio`.
import { build } from 'esbuild';

await build({
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
      "const require = __bpsRequire(import.meta.url);",
      'const __filename = __bpsPath(import.meta.url);',
      "const __dirname = __bpsPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  logLevel: 'warning',
});
