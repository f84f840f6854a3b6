import { resolve } from 'node:path';
import { StudioError, formatPlace } from '../core/errors.js';
import { validateSpec } from '../core/network.js';
import { LAYER_TABLE, layerToken, parseLayerToken, planLayers } from '../core/layers/registry.js';
import { describeShape, shapeSize } from '../core/layers/shape.js';
import { LIMITS, networkSpecSchema, fieldPath, type LayerSpec, type NetworkSpec } from '../core/spec.js';
import { parseJsonText } from '../core/json-text.js';
import { readFileCapped } from '../node/read-file.js';
import { activationOption, choiceOption, usageError, type ParsedCommand } from './args.js';
import type { CliIO } from './io.js';

/**
 * The network a command line asks for: `--layers` as sizes (50,10, the book's
 * Affine stacks) or layer tokens (conv30x5,relu,pool2,fc100,relu,fc10), or
 * `--spec net.json`; the input shape from `--input-shape CxHxW` or the data (IDX
 * images are 1 x H x W). Every problem is one usage line naming the flag, the token
 * and the shapes.
 */
export interface SpecRequest {
  /** Values per sample of the data. */
  inputSize: number;
  /** [height, width] of IDX images. */
  imageShape?: readonly [number, number];
  /** Used when neither --layers nor --spec is given. */
  defaultSizes: number[];
}

const MAX_SPEC_BYTES = 1024 * 1024;

/** `--input-shape 1x28x28` → [1, 28, 28], which must hold exactly the data's values per sample. */
export function inputShapeOption(v: ParsedCommand['values'], inputSize: number | null): [number, number, number] | undefined {
  const raw = v['input-shape'];
  if (raw === undefined) return undefined;
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(String(raw).trim());
  if (!m) throw usageError(`--input-shape must be channels x height x width like 1x28x28, got '${raw}'`);
  const shape: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (shape.some((d) => d < 1) || shape[0] > LIMITS.maxChannels || shape[1] > LIMITS.maxImageSide || shape[2] > LIMITS.maxImageSide) {
    throw usageError(`--input-shape ${raw}: at most ${LIMITS.maxChannels} channels and ${LIMITS.maxImageSide} rows or columns, none zero`);
  }
  if (inputSize !== null && shapeSize(shape) !== inputSize) {
    throw usageError(`--input-shape ${raw} holds ${shapeSize(shape).toLocaleString('en-US')} values, but each sample has ${inputSize.toLocaleString('en-US')}`);
  }
  return shape;
}

/** `--layers`: sizes (all whole numbers) or layer tokens; null when not given. */
export function layerListOption(v: ParsedCommand['values']): { sizes: number[] } | { layers: LayerSpec[] } | null {
  const raw = v.layers;
  if (raw === undefined) return null;
  const parts = String(raw).split(',').map((s) => s.trim().toLowerCase());
  if (parts.every((p) => /^\d*$/.test(p))) {
    const sizes = parts.map(Number);
    if (parts.some((p, i) => p === '' || sizes[i]! < 1)) {
      throw usageError(`--layers must be positive whole numbers separated by commas (like 50,10) or layer tokens, got '${raw}'`);
    }
    const tooWide = sizes.find((n) => n > LIMITS.maxUnits);
    if (tooWide !== undefined) {
      throw usageError(`--layers: ${tooWide.toLocaleString('en-US')} units in one layer is over the limit of ${LIMITS.maxUnits.toLocaleString('en-US')}`);
    }
    const maxSizes = Math.floor((LIMITS.maxLayers + 1) / 2);
    if (sizes.length > maxSizes) throw usageError(`--layers: ${sizes.length} layers is over the limit of ${maxSizes}`);
    if (sizes[sizes.length - 1]! < 2) throw usageError(`--layers must end with at least 2 outputs (one per class), got ${sizes[sizes.length - 1]}`);
    return { sizes };
  }
  if (parts.length > LIMITS.maxLayers) throw usageError(`--layers: ${parts.length} layers is over the limit of ${LIMITS.maxLayers}`);
  const layers = parts.map((token, i) => {
    const spec = parseLayerToken(token);
    if (!spec) {
      throw usageError(
        `--layers: '${token || '(empty)'}' (layer ${i + 1}) is not a layer; the tokens are ${LAYER_TABLE.map((e) => e.tokenSyntax).join(', ')}`,
      );
    }
    return spec;
  });
  return { layers };
}

/** `--layers 50,10`: an activation between Affine layers, none after the last (softmax follows). */
export function specFromSizes(inputSize: number, sizes: number[], activation: LayerSpec['kind']): NetworkSpec {
  const layers: LayerSpec[] = [];
  sizes.forEach((units, i) => {
    layers.push({ kind: 'affine', units });
    if (i < sizes.length - 1) layers.push({ kind: activation } as LayerSpec);
  });
  return { inputSize, layers, loss: 'softmax-cross-entropy' };
}

/** --loss softmax|mse as the spec names it. */
export function lossOption(v: ParsedCommand['values']): NetworkSpec['loss'] {
  return choiceOption(v, 'loss', ['softmax', 'mse'] as const, 'softmax') === 'mse' ? 'mse' : 'softmax-cross-entropy';
}

/** Build and check the spec the flags describe. */
export async function specFromCli(io: CliIO, v: ParsedCommand['values'], req: SpecRequest): Promise<NetworkSpec> {
  const loss = lossOption(v);
  const given = inputShapeOption(v, req.inputSize);
  const inputShape = given ?? (req.imageShape ? ([1, req.imageShape[0], req.imageShape[1]] as [number, number, number]) : undefined);
  if (v.spec !== undefined && v.layers !== undefined) throw usageError('give either --layers or --spec, not both');
  let spec: NetworkSpec;
  let flag: string;
  if (typeof v.spec === 'string') {
    flag = `--spec ${v.spec}`;
    spec = await readSpecFile(io, v.spec, req.inputSize, inputShape, loss);
  } else {
    const list = layerListOption(v) ?? { sizes: req.defaultSizes };
    flag = `--layers ${String(v.layers ?? req.defaultSizes.join(','))}`;
    spec = 'sizes' in list
      ? specFromSizes(req.inputSize, list.sizes, activationOption(v))
      : { inputSize: req.inputSize, layers: list.layers, loss: 'softmax-cross-entropy' };
    spec.loss = loss;
    if (inputShape) spec.inputShape = inputShape;
  }
  try {
    return validateSpec(spec);
  } catch (e) {
    if (!(e instanceof StudioError) || (e.code !== 'BAD_SPEC' && e.code !== 'TOO_LARGE')) throw e;
    const reason = e.message.slice(formatPlace(e.where).length).replace(/^network spec:\s*/, '');
    const input = inputShape ? `input ${describeShape(inputShape)}` : `${req.inputSize.toLocaleString('en-US')} inputs`;
    throw usageError(`${flag} with ${input}: ${reason}`);
  }
}

async function readSpecFile(
  io: CliIO, path: string, inputSize: number, inputShape: [number, number, number] | undefined, loss: NetworkSpec['loss'],
): Promise<NetworkSpec> {
  const bytes = await readFileCapped(resolve(io.cwd, path), MAX_SPEC_BYTES, path);
  const text = parseJsonText(new TextDecoder().decode(bytes), path, 'BAD_SPEC');
  const json = text.value;
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { layers?: unknown }).layers)) {
    throw new StudioError('BAD_SPEC', 'must be a JSON object with "layers": [{"kind": ...}, ...]', { file: path, ...text.placeOf([]) });
  }
  // The data decides the input; a spec file may state it (it must then agree) or leave it out.
  const merged = { inputSize, ...(inputShape ? { inputShape } : {}), loss, ...(json as object) };
  const parsed = networkSpecSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldPath(issue.path);
    throw new StudioError('BAD_SPEC', issue.message, { file: path, ...text.placeOf(issue.path), ...(field ? { field } : {}) });
  }
  if (parsed.data.inputSize !== inputSize) {
    throw new StudioError('BAD_SPEC', `inputSize ${parsed.data.inputSize} does not match the data's ${inputSize} values per sample`, {
      file: path,
      ...text.placeOf(['inputSize']),
    });
  }
  return parsed.data;
}

/** conv30x5-relu-pool2-fc100-relu-fc10 on 1x28x28: the tokens the spec would be typed with. */
export function describeSpec(spec: NetworkSpec): string {
  const onlyAffine = spec.layers.every((l) => ['affine', 'relu', 'sigmoid', 'tanh'].includes(l.kind)) && !spec.inputShape;
  if (onlyAffine) {
    const sizes = [spec.inputSize, ...spec.layers.flatMap((l) => (l.kind === 'affine' ? [l.units] : []))];
    const acts = [...new Set(spec.layers.filter((l) => l.kind !== 'affine').map((l) => l.kind))];
    return `${sizes.join('-')}${acts.length ? ` (${acts.join(', ')})` : ''}`;
  }
  const input = spec.inputShape ? describeShape(spec.inputShape) : String(spec.inputSize);
  return `${input} -> ${spec.layers.map(layerToken).join(',')}`;
}

/** Learnable values of a spec (before building it). */
export function specParamCount(spec: NetworkSpec): number {
  return planLayers(spec).reduce((n, l) => n + l.params, 0);
}
