import { z } from 'zod';
import { networkSpecSchema, trainingConfigSchema } from '../spec.js';
import { ERROR_CODES } from '../errors.js';
import { PROBE_EVENT_SCHEMAS } from './probe-messages.js';
import { PROTOCOL_VERSION, anyNumber, commandIdSchema, f32, i32, u8 } from './schemas.js';

/**
 * Events (engine -> client) of the engine protocol: their schemas, the union a
 * client can check what it receives with, and the buffers of an event to transfer.
 * See messages.ts for the rules.
 */

const evt = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape }).strict();

export const RUN_STATES = ['idle', 'running', 'paused'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The engine is up and listening. */
export const readyEventSchema = evt('ready', {
  protocol: z.literal(PROTOCOL_VERSION),
  /** The numeric backend in use ("ts-f32", "wasm-simd", "native-mlas"). */
  ops: z.string(),
  /** Why it is not the backend asked for (no native library on this machine), when it is not. */
  opsNote: z.string().max(2000).optional(),
});

/** The command `id` was carried out (sent after any result event of that command). */
export const ackEventSchema = evt('ack', { id: commandIdSchema });

/** The codes of core/errors.ts: one list, so a new code needs no second edit here. */
export const errorCodeSchema = z.enum(ERROR_CODES);

/** Where a bad input is (StudioError's `where`): clients point at it without reading the message. */
export const errorPlaceSchema = z.object({
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  field: z.string().optional(),
});

/**
 * A command failed (`id` set), or something went wrong outside any command (no `id`).
 * Clients decide on `code` (and `where`), never on the message text, which is for people.
 */
export const errorEventSchema = evt('error', {
  id: commandIdSchema.optional(),
  code: errorCodeSchema,
  message: z.string(),
  where: errorPlaceSchema.optional(),
});

/**
 * Session state changed (run started, paused, resumed, ended; network or data
 * replaced). Lets a client show the right buttons without tracking every command.
 */
export const statusEventSchema = evt('status', {
  state: z.enum(RUN_STATES),
  hasNetwork: z.boolean(),
  hasData: z.boolean(),
  epoch: z.number().int(),
  iteration: z.number().int(),
});

const layerInfoSchema = z
  .object({
    /** 'fc1', 'relu1', … */
    name: z.string(),
    kind: z.string(),
    inputSize: z.number().int(),
    outputSize: z.number().int(),
    params: z.number().int(),
  })
  .strict();
export type LayerInfo = z.infer<typeof layerInfoSchema>;

/** The network was built (configure, importModel). */
export const configuredEventSchema = evt('configured', {
  id: commandIdSchema.optional(),
  spec: networkSpecSchema,
  training: trainingConfigSchema,
  layers: z.array(layerInfoSchema),
  totalParams: z.number().int(),
});

const classCountsSchema = z.array(z.number().int());

/** Every point of a 2-D data set, in the data's own (unstandardized) coordinates. */
const pointsShape = {
  /** Training points x0,y0,x1,y1,… */
  trainXY: f32,
  trainLabels: i32,
  testXY: f32,
  testLabels: i32,
  /** The points' extent with a margin: a good default for predictGrid. */
  bounds: z.object({ xMin: z.number(), xMax: z.number(), yMin: z.number(), yMax: z.number() }).strict(),
};
export const dataPointsSchema = z.object(pointsShape).strict();
export type DataPoints = z.infer<typeof dataPointsSchema>;

/** What a data preview shows: a table (CSV/TSV), images (IDX, mnist) or points (2-D sets). */
export const dataPreviewSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('table'),
      /** Column names (generated "col1"… when the file has no header). */
      header: z.array(z.string()),
      /** First rows as the file has them. */
      rows: z.array(z.array(z.string())),
      /** Index of the label column in `header`. */
      labelColumn: z.number().int(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('images'),
      /** count x height x width bytes (0..255), the first images of the training set. */
      pixels: u8,
      labels: i32,
      count: z.number().int(),
    })
    .strict(),
  z.object({ kind: z.literal('points'), ...pointsShape }).strict(),
]);
export type DataPreview = z.infer<typeof dataPreviewSchema>;

/** Training settings replaced (setTraining), weights kept. */
export const trainingChangedEventSchema = evt('trainingChanged', {
  id: commandIdSchema,
  training: trainingConfigSchema,
  /** False when the optimizer changed kind, so its state (velocities, moments) started afresh. */
  optimizerStateKept: z.boolean(),
});

/** Data loaded (loadData, loadBuiltin). */
export const dataLoadedEventSchema = evt('dataLoaded', {
  id: commandIdSchema.optional(),
  name: z.string(),
  trainCount: z.number().int(),
  testCount: z.number().int(),
  features: z.number().int(),
  classNames: z.array(z.string()),
  trainClassCounts: classCountsSchema,
  testClassCounts: classCountsSchema,
  imageShape: z.tuple([z.number().int(), z.number().int()]).optional(),
  standardized: z.boolean(),
  preview: dataPreviewSchema,
  /**
   * For any data with 2 features (a 2-D CSV file too, whose preview is a table):
   * every point, for drawing decision regions. The same arrays as a 'points' preview.
   */
  points: dataPointsSchema.optional(),
  /** Things the user should know that are not errors ("class 'x' has no test samples"). */
  warnings: z.array(z.string()),
});

/** Throttled (at most ~20/s); the last state of a run, a pause or a step is always sent. */
export const progressEventSchema = evt('progress', {
  state: z.enum(RUN_STATES),
  /** Batches trained since the network was built. */
  iteration: z.number().int(),
  /** Epochs completed. */
  epoch: z.number().int(),
  /** Loss of the last batch; null before the first batch; NaN/Infinity possible just before a 'diverged' done. */
  loss: anyNumber.nullable(),
  /**
   * Every batch loss since the previous progress event (transferred), so a chart of
   * loss per iteration misses none though progress is throttled; the last one is
   * `loss` at `iteration`. Absent when no batch ran since the last event.
   */
  batchLosses: f32.optional(),
  samplesPerSecond: z.number(),
  /** Share of the current run done, 0..1 (0 when no run). */
  fraction: z.number(),
  /** Estimated seconds left in the run (null when unknown). */
  secondsLeft: z.number().nullable(),
});

/** At the end of every epoch. Test fields are null when there is no test set. */
export const epochEventSchema = evt('epoch', {
  epoch: z.number().int(),
  iteration: z.number().int(),
  trainLoss: anyNumber,
  trainAccuracy: z.number(),
  testLoss: anyNumber.nullable(),
  testAccuracy: z.number().nullable(),
  /** On the validation set held out of the training data (training.validationSplit); absent without one. */
  validationLoss: anyNumber.optional(),
  validationAccuracy: z.number().optional(),
  /** Training time of the epoch, evaluation excluded. */
  seconds: z.number(),
});

const tensorStatsSchema = z
  .object({ mean: anyNumber, std: anyNumber, norm: anyNumber, min: anyNumber, max: anyNumber })
  .strict();
export type TensorStatsMsg = z.infer<typeof tensorStatsSchema>;

/** Per Affine layer statistics of W, b, dW, db; throttled with progress, and at every epoch end. */
export const layerStatsEventSchema = evt('layerStats', {
  iteration: z.number().int(),
  layers: z.array(
    z.object({ layer: z.string(), W: tensorStatsSchema, b: tensorStatsSchema, dW: tensorStatsSchema, db: tensorStatsSchema }).strict(),
  ),
});

/**
 * Copies of one Affine layer's tensors, buffers transferred. W and dW are
 * [inputs, outputs] row-major (the engine's layout: x·W), b and db are [1, outputs].
 */
export const inspectResultEventSchema = evt('inspectResult', {
  id: commandIdSchema,
  layer: z.string(),
  /** Index among the Affine layers. */
  index: z.number().int(),
  wShape: z.tuple([z.number().int(), z.number().int()]),
  bShape: z.tuple([z.number().int(), z.number().int()]),
  W: f32,
  b: f32,
  dW: f32,
  db: f32,
  iteration: z.number().int(),
});

export const gradcheckRowSchema = z
  .object({
    /** 'fc1.weight', 'fc1.bias', … */
    param: z.string(),
    /** The parameter's shape ([in, out] for a weight, [1, out] for a bias). */
    shape: z.tuple([z.number().int(), z.number().int()]),
    maxAbsDiff: anyNumber,
    relError: anyNumber,
    ok: z.boolean(),
    /** Elements compared (a random sample of large weights). */
    checked: z.number().int(),
  })
  .strict();
export type GradcheckRow = z.infer<typeof gradcheckRowSchema>;

export const gradcheckResultEventSchema = evt('gradcheckResult', {
  id: commandIdSchema,
  rows: z.array(gradcheckRowSchema),
  /** Relative error below which a row is ok. */
  threshold: z.number(),
  ok: z.boolean(),
  /** Where the inputs came from: 'data' (the loaded training set) or 'random'. */
  inputs: z.enum(['data', 'random']),
});

/**
 * Confusion matrix, row = true class: on the test set after every epoch (on the
 * training set when there is no test set and it has at most 10,000 samples), and
 * after every `evaluate`.
 */
export const confusionEventSchema = evt('confusion', {
  set: z.enum(['test', 'train']),
  classNames: z.array(z.string()),
  /** n x n row-major counts. */
  counts: i32,
});

export const evaluationEventSchema = evt('evaluation', {
  id: commandIdSchema,
  trainLoss: anyNumber,
  trainAccuracy: z.number(),
  testLoss: anyNumber.nullable(),
  testAccuracy: z.number().nullable(),
});

export const gridResultEventSchema = evt('gridResult', {
  id: commandIdSchema,
  cols: z.number().int(),
  rows: z.number().int(),
  /** rows x cols predicted class, row 0 at yMax. */
  classes: u8,
  /** rows x cols probability of that class. */
  confidence: f32,
});

export const samplesResultEventSchema = evt('samplesResult', {
  id: commandIdSchema,
  which: z.enum(['misclassified', 'all']),
  /** The test set, or the training set when there is no test set. */
  set: z.enum(['test', 'train']),
  /** How many test samples match `which` in all. */
  total: z.number().int(),
  offset: z.number().int(),
  /** Index of each sample in the test set. */
  indices: i32,
  labels: i32,
  predicted: i32,
  /** Probability the network gives its predicted class. */
  confidence: f32,
  features: z.number().int(),
  /** count x features, the values the user sees (unstandardized; images in 0..1). */
  values: f32,
  imageShape: z.tuple([z.number().int(), z.number().int()]).optional(),
});

export const modelExportedEventSchema = evt('modelExported', {
  id: commandIdSchema,
  /** safetensors bytes, transferred. */
  bytes: z.custom<ArrayBuffer>((v) => v instanceof ArrayBuffer, { message: 'expected an ArrayBuffer' }),
});

export const modelImportedEventSchema = evt('modelImported', {
  id: commandIdSchema,
  name: z.string(),
  spec: networkSpecSchema,
  training: trainingConfigSchema,
  normalization: z.object({ mean: f32, std: f32 }).strict().nullable(),
  classNames: z.array(z.string()),
});

/**
 * Weights, optimizer state and counters at an epoch end, as opaque bytes (hand
 * them back with restoreCheckpoint). Electron main keeps the last one so it can
 * restore a crashed engine.
 */
export const checkpointEventSchema = evt('checkpoint', {
  epoch: z.number().int(),
  iteration: z.number().int(),
  /** Where the run in progress ends (null: the epoch was completed by `step`, outside a run). */
  endEpoch: z.number().int().nullable(),
  bytes: z.custom<ArrayBuffer>((v) => v instanceof ArrayBuffer, { message: 'expected an ArrayBuffer' }),
});

export const DONE_REASONS = ['finished', 'stopped', 'diverged'] as const;
export type DoneReason = (typeof DONE_REASONS)[number];

/**
 * Who ended a stopped run: the user's stop command, a command that replaced the
 * network or data (interrupted), or a failure inside training. Absent for finished
 * and diverged runs.
 */
export const STOP_CAUSES = ['user', 'interrupted', 'failed'] as const;
export type StopCause = (typeof STOP_CAUSES)[number];

/** A run ended. `message` says why in words (e.g. "stopped: new data loaded"); `stoppedBy` says it as a code. */
export const doneEventSchema = evt('done', {
  reason: z.enum(DONE_REASONS),
  stoppedBy: z.enum(STOP_CAUSES).optional(),
  epoch: z.number().int(),
  iteration: z.number().int(),
  message: z.string(),
  /**
   * Early stopping (training.earlyStopping) ended the run or watched it to its end:
   * the epoch whose weights the network now holds (restored when it was not the last).
   */
  bestEpoch: z.number().int().optional(),
});

export const eventSchema = z.discriminatedUnion('type', [
  readyEventSchema,
  ackEventSchema,
  errorEventSchema,
  statusEventSchema,
  configuredEventSchema,
  trainingChangedEventSchema,
  dataLoadedEventSchema,
  progressEventSchema,
  epochEventSchema,
  layerStatsEventSchema,
  inspectResultEventSchema,
  gradcheckResultEventSchema,
  confusionEventSchema,
  evaluationEventSchema,
  gridResultEventSchema,
  samplesResultEventSchema,
  modelExportedEventSchema,
  modelImportedEventSchema,
  checkpointEventSchema,
  doneEventSchema,
  ...PROBE_EVENT_SCHEMAS,
]);

export type EngineEvent = z.output<typeof eventSchema>;
export type EventType = EngineEvent['type'];
/** The event of one type: `EventOf<'progress'>`. */
export type EventOf<T extends EventType> = Extract<EngineEvent, { type: T }>;

/** Buffers inside an event that should be transferred, not copied. */
export function transferablesOf(ev: EngineEvent): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (v: unknown): void => {
    let buf: ArrayBufferLike | undefined;
    if (v instanceof ArrayBuffer) buf = v;
    else if (ArrayBuffer.isView(v)) buf = v.buffer;
    // SharedArrayBuffer and WebAssembly memory cannot be transferred: the host copies those first.
    if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  };
  for (const v of Object.values(ev)) {
    if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && !Array.isArray(v)) {
      for (const w of Object.values(v as Record<string, unknown>)) add(w);
    } else add(v);
  }
  return out;
}
