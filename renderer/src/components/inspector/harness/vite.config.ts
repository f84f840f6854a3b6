import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Dev harness for the inspector, results, graph and gradcheck views: every view
 * mounted with realistic fake data, in light and dark, without the engine.
 *   npx vite --config renderer/src/components/inspector/harness/vite.config.ts
 *   npx vite build --config renderer/src/components/inspector/harness/vite.config.ts   (to /tmp/views-harness)
 * Not part of the app build.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../../../../', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte({ configFile: `${repo}svelte.config.js` })],
  build: { outDir: '/tmp/views-harness', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
});
