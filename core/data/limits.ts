import { StudioError } from '../errors.js';
import { formatBytes } from '../format.js';

/**
 * Hard limits on what a data file may make us allocate. A reader checks them
 * *before* allocating, from the sizes a header or a first pass announces, so a
 * hostile or mistyped file fails in milliseconds instead of exhausting memory.
 *
 * The numbers leave room for every real data set this studio is meant for
 * (Fashion-MNIST: 47 MB of pixels; MNIST as CSV: 110 MB of text) and stop
 * short of what a browser tab or a 32-bit-indexed typed array can hold.
 */
export const DATA_LIMITS = {
  /** Bytes of a data file as read from disk (compressed or not). */
  maxFileBytes: 512 * 1024 * 1024,
  /** Bytes after gzip decompression. */
  maxDecompressedBytes: 1024 * 1024 * 1024,
  /**
   * Bytes of CSV/TSV text. V8 cannot hold a string much over 512 M characters, and
   * the parser's working set is a few times the text, so text stays well below that.
   */
  maxTextBytes: 256 * 1024 * 1024,
  /**
   * Bytes of one CSV/TSV field. A number or a class name is a few dozen characters;
   * the parser holds a field as one array element per character, so a field of
   * 100 M characters would cost gigabytes. Longer fields are refused before parsing.
   */
  maxFieldBytes: 64 * 1024,
  /** Bytes of one CSV/TSV line: room for the widest row (1 M features of ~30 characters). */
  maxLineBytes: 32 * 1024 * 1024,
  /** Samples (rows, images). */
  maxRows: 10_000_000,
  /** Features per sample; matches the largest input a network spec accepts. */
  maxFeatures: 1_048_576,
  /** Samples x features: 256 M values is 1 GiB as float32. */
  maxValues: 256 * 1024 * 1024,
  /** Distinct class labels; more than this is a continuous target, not classes. */
  maxClasses: 1000,
} as const;

/** Sizes read the same in the engine's messages and the renderer (core/format.ts). */
export { formatBytes };

/** Text from a file quoted in a message, cut so the message stays one readable line. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Throws TOO_LARGE when `bytes` exceeds `limit`; `what` names the thing measured. */
export function checkBytes(bytes: number, limit: number, what: string, file?: string): void {
  if (bytes > limit) {
    throw new StudioError(
      'TOO_LARGE',
      `${what} is ${formatBytes(bytes)}; the limit is ${formatBytes(limit)}`,
      file === undefined ? {} : { file },
    );
  }
}

/** Throws TOO_LARGE when a count announced by a file exceeds the limits, before anything is allocated. */
export function checkShape(rows: number, features: number, file?: string): void {
  const where = file === undefined ? {} : { file };
  if (rows > DATA_LIMITS.maxRows) {
    throw new StudioError(
      'TOO_LARGE',
      `${formatCount(rows)} samples is over the limit of ${formatCount(DATA_LIMITS.maxRows)}`,
      where,
    );
  }
  if (features > DATA_LIMITS.maxFeatures) {
    throw new StudioError(
      'TOO_LARGE',
      `${formatCount(features)} features per sample is over the limit of ${formatCount(DATA_LIMITS.maxFeatures)}`,
      where,
    );
  }
  if (rows * features > DATA_LIMITS.maxValues) {
    throw new StudioError(
      'TOO_LARGE',
      `${formatCount(rows)} samples x ${formatCount(features)} features is over the limit of ` +
        `${formatCount(DATA_LIMITS.maxValues)} values`,
      where,
    );
  }
}
