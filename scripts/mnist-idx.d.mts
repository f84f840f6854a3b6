/** Types for scripts/mnist-idx.mjs (a plain-JS build script shared with the tests). */
export declare const MNIST_IMAGES_FILE: string;
export declare const MNIST_LABELS_FILE: string;
export declare function encodeIdx(dims: readonly number[], values: ArrayLike<number>, type?: number): Uint8Array;
export declare function buildMnistIdx(): { images: Uint8Array; labels: Uint8Array; count: number };
export declare function cachedMnistIdx(cacheRoot: string): { images: Uint8Array; labels: Uint8Array };
