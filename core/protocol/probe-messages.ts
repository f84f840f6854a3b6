import { z } from 'zod';

/**
 * Commands and events that look inside the network or try it, without changing
 * it: the network as a computational graph with one batch's numbers (trace), one
 * weight's numerical gradient (checkWeight), predictions for rows the user typed
 * or drew (predict), a file evaluated or predicted without replacing the loaded
 * data (evaluateFile, predictFile), and the slow-motion pace of training
 * (setPace). messages.ts puts them in its command and event unions.
 *
 * The building blocks are declared here rather than imported: messages.ts imports
 * this module, and a cycle would leave them undefined while it loads.
 */

const id = z.union([z.number().int().min(0), z.string().min(1).max(100)]);
const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
const i32 = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });
const bytes = z.custom<ArrayBuffer | Uint8Array>((v) => v instanceof ArrayBuffer || v instanceof Uint8Array, {
  message: 'expected an ArrayBuffer or Uint8Array of bytes',
});
/** NaN and ±Infinity included: a diverged network's trace still has to arrive. */
const anyNumber = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });

const cmd = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id, ...shape }).strict();
const evt = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), ...shape }).strict();

export const TRACE_MAX_SAMPLES = 256;

/** Which samples: indices into the training set (as the trainer sees it) or the test set. */
const sampleChoice = {
  set: z.enum(['train', 'test']).default('train'),
  indices: z.array(z.number().int().min(0)).min(1).max(TRACE_MAX_SAMPLES),
};

/**
 * Forward and backward of the chosen samples through a copy of the network (the
 * run is not disturbed): every edge's value and gradient, every W/b and dW/db.
 */
export const traceSchema = cmd('trace', sampleChoice);

/** One weight's gradient for the same samples by central differences in float64, beside backprop's. */
export const checkWeightSchema = cmd('checkWeight', {
  ...sampleChoice,
  /** fc1.weight, fc2.bias, … */
  param: z.string().min(1).max(64),
  /** Row-major index into the parameter ([in, out] for a weight). */
  index: z.number().int().min(0),
});

/**
 * Class probabilities for `rows` samples of `features` values each, in the data's
 * own units (unstandardized; images 0..1 like IDX pixels): the engine applies the
 * standardization the weights were trained with.
 */
export const predictSchema = cmd('predict', {
  values: f32,
  features: z.number().int().min(1),
});

/** A labelled file read with the loaded data's settings, evaluated with the weights' own standardization. */
export const evaluateFileSchema = cmd('evaluateFile', {
  name: z.string().min(1).max(1024),
  bytes,
  labels: z.object({ name: z.string().min(1).max(1024), bytes }).strict().optional(),
});

/** Probabilities for every row of a file (labels optional), for a CSV the user keeps. */
export const predictFileSchema = cmd('predictFile', {
  name: z.string().min(1).max(1024),
  bytes,
  labels: z.object({ name: z.string().min(1).max(1024), bytes }).strict().optional(),
});

export const PACE_MAX_MS = 2000;
/** Slow motion: wait this long after every batch of a run (0 = full speed), so a user can watch regions form. */
export const setPaceSchema = cmd('setPace', { batchDelayMs: z.number().int().min(0).max(PACE_MAX_MS) });

/**
 * The image-shaped outputs (C x H x W) of every layer for one sample in inference mode:
 * after each Convolution, pooling and activation, as the book's feature-map figures.
 */
export const featureMapsSchema = cmd('featureMaps', {
  set: z.enum(['train', 'test']).default('test'),
  sampleIndex: z.number().int().min(0),
});

/** Every tensor of one layer by name (conv1, bn1): weights and their gradients, BatchNorm's running statistics. */
export const layerTensorsSchema = cmd('layerTensors', { layer: z.string().min(1).max(64) });

export const PROBE_COMMAND_SCHEMAS = [traceSchema, checkWeightSchema, predictSchema, evaluateFileSchema, predictFileSchema, setPaceSchema, featureMapsSchema, layerTensorsSchema] as const;

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/** core/graph/tensor-summary.ts TensorSummary; `heat` points into the event's `heat` buffer. */
export const tensorSummarySchema = z
  .object({
    shape: z.array(z.number().int()),
    mean: anyNumber,
    std: anyNumber,
    min: anyNumber,
    max: anyNumber,
    norm: anyNumber,
    head: z.array(anyNumber),
    heat: z.object({ offset: z.number().int(), rows: z.number().int(), cols: z.number().int() }).strict().nullable(),
  })
  .strict();
export type TensorSummaryMsg = z.infer<typeof tensorSummarySchema>;

const ruleSchema = z.object({ forward: z.string(), backward: z.string() }).strict();

export const traceNodeSchema = z
  .object({
    name: z.string(),
    kind: z.string(),
    rule: ruleSchema.nullable(),
    params: z.array(z.object({ name: z.string(), label: z.string(), value: tensorSummarySchema, grad: tensorSummarySchema }).strict()),
    probs: tensorSummarySchema.optional(),
  })
  .strict();
export type TraceNodeMsg = z.infer<typeof traceNodeSchema>;

export const traceEdgeSchema = z
  .object({ from: z.number().int(), to: z.number().int(), label: z.string(), value: tensorSummarySchema, grad: tensorSummarySchema })
  .strict();
export type TraceEdgeMsg = z.infer<typeof traceEdgeSchema>;

export const traceResultEventSchema = evt('traceResult', {
  id,
  set: z.enum(['train', 'test']),
  indices: i32,
  /** The class of each traced sample. */
  labels: i32,
  classNames: z.array(z.string()),
  loss: anyNumber,
  nodes: z.array(traceNodeSchema),
  edges: z.array(traceEdgeSchema),
  /** Every heatmap of the trace, packed (transferred). */
  heat: f32,
  /** The iteration whose weights were traced. */
  iteration: z.number().int(),
});

export const weightCheckResultEventSchema = evt('weightCheckResult', {
  id,
  param: z.string(),
  index: z.number().int(),
  numeric: anyNumber,
  backprop: anyNumber,
  relError: anyNumber,
  epsilon: z.number(),
  /** relError below this is agreement (core/gradcheck's threshold). */
  threshold: z.number(),
});

export const predictResultEventSchema = evt('predictResult', {
  id,
  rows: z.number().int(),
  classNames: z.array(z.string()),
  /** rows x classes probabilities (raw outputs for a regression network). */
  probs: f32,
});

export const fileEvaluationEventSchema = evt('fileEvaluation', {
  id,
  name: z.string(),
  count: z.number().int(),
  loss: anyNumber,
  accuracy: z.number(),
  classNames: z.array(z.string()),
  /** classes x classes, row = true class. */
  counts: i32,
  /** How the file was standardized, in words. */
  standardization: z.string(),
  warnings: z.array(z.string()),
});

export const filePredictionsEventSchema = evt('filePredictions', {
  id,
  name: z.string(),
  rows: z.number().int(),
  classNames: z.array(z.string()),
  probs: f32,
  /** The file's labels when it had a label column (else absent). */
  labels: i32.optional(),
  warnings: z.array(z.string()),
});

/** Where one tensor lies in a probe's single `values` array (one transferred buffer however many tensors). */
const sliceSchema = z.object({ name: z.string(), shape: z.array(z.number().int()), offset: z.number().int() }).strict();

export const featureMapsResultEventSchema = evt('featureMapsResult', {
  id,
  set: z.enum(['train', 'test']),
  sampleIndex: z.number().int(),
  label: z.number().int(),
  /** The sample as the network sees it, then each image-shaped layer output: name is the layer's, kind its kind. */
  maps: z.array(sliceSchema.extend({ kind: z.string() }).strict()),
  values: f32,
  iteration: z.number().int(),
});

export const layerTensorsResultEventSchema = evt('layerTensorsResult', {
  id,
  layer: z.string(),
  kind: z.string(),
  /** weight, weight.grad, bias, bias.grad, running_mean, running_var in PyTorch's shapes (Conv2d weight [out, in, kh, kw]). */
  tensors: z.array(sliceSchema),
  values: f32,
  iteration: z.number().int(),
});

export const PROBE_EVENT_SCHEMAS = [
  featureMapsResultEventSchema,
  layerTensorsResultEventSchema,
  traceResultEventSchema,
  weightCheckResultEventSchema,
  predictResultEventSchema,
  fileEvaluationEventSchema,
  filePredictionsEventSchema,
] as const;
