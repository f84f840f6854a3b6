/** Types for scripts/seeded-random.mjs (plain JS, shared by build scripts, fixtures and tests). */
export declare function mulberry32(seed: number): () => number;
