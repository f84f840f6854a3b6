// The seeded generator of the build scripts and test fixtures (scripts/mnist-idx.mjs's
// fixed shuffle, test/e2e/fixtures/make-fixtures.mjs's generated table): one copy, so a
// fixture and the MNIST build draw the same numbers from the same seed.

/**
 * mulberry32: a tiny seeded generator, enough for fixed shuffles and fixture values
 * (not for statistics that need a long period).
 * @param {number} seed any number; its low 32 bits are used
 * @returns {() => number} uniform draws in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
