import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's state classes (*.svelte.ts) use runes: compiled by Svelte as for the browser (server
  // output has no reactivity: $derived would not follow, $state.snapshot would not copy), run under Node.
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true }, dynamicCompileOptions: () => ({ generate: 'client' }) })],
  test: {
    include: ['test/core/**/*.test.ts', 'test/node/**/*.test.ts', 'test/renderer/**/*.test.ts', 'test/scripts/**/*.test.ts', 'test/electron/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/build/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
