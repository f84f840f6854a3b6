import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/node/**/*.test.ts', 'test/renderer/**/*.test.ts', 'test/scripts/**/*.test.ts', 'test/electron/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/build/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
