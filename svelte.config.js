import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** TypeScript in <script lang="ts"> blocks; runes everywhere (Svelte 5). */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
};
