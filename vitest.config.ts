import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/host/**/*.test.ts', 'test/electron/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/build/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
