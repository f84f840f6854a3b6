/**
 * Hard limits on a network spec, so that a typo (conv3000x5, fc10000000) is refused
 * with one line instead of allocating gigabytes. Kept apart from spec.ts because the
 * layer-kind table's schemas need them while spec.ts is built from that table.
 */
export const LIMITS = {
  maxUnits: 65_536,
  maxLayers: 64,
  maxParams: 50_000_000,
  maxBatch: 65_536,
  maxEpochs: 100_000,
  /** Channels of an image (input or a convolution's filters). */
  maxChannels: 4096,
  /** Side of a convolution kernel or a pooling window. */
  maxKernel: 64,
  /** Height and width of an image. */
  maxImageSide: 4096,
  /** Values per sample between two layers (one sample's activations). */
  maxValuesPerSample: 1 << 24,
  /** Values of one sample's im2col rows (OH·OW·C·K·K): a convolution's workspace. */
  maxIm2colPerSample: 1 << 24,
} as const;
