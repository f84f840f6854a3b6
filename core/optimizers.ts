import type { FloatArray, Matrix } from './matrix.js';
import type { Ops } from './ops/types.js';
import type { Param } from './layers/types.js';
import { StudioError } from './errors.js';
import { describeZodError, trainingConfigSchema, type OptimizerKind, type TrainingConfig } from './spec.js';

/**
 * The book's optimizers (ch. 6, common/optimizer.py), stepping a list of params
 * in place from their gradients. Each keeps per-parameter state (velocity,
 * squared-gradient sums, moments), indexed by the position of the param in the
 * list, so callers must pass the same list in the same order every step (a
 * Network's params() does).
 *
 *   sgd       w -= lr·g
 *   momentum  v = momentum·v - lr·g;  w += v
 *   nesterov  v = momentum·v - lr·g;  w += momentum²·v - (1 + momentum)·lr·g
 *   adagrad   h += g²;  w -= lr·g / (√h + 1e-7)
 *   rmsprop   h = decay·h + (1 - decay)·g²;  w -= lr·g / (√h + 1e-7)
 *   adam      m, v running moments of g and g², bias-corrected through lr_t
 * The README's "Optimizers and initializers: the exact formulas" compares each with PyTorch.
 */
export interface OptimizerState {
  kind: OptimizerKind;
  /** Steps taken (Adam's t). */
  steps: number;
  /** Per param, its state vectors in a fixed order (momentum, nesterov: [v]; adagrad, rmsprop: [h]; adam: [m, v]). Copies. */
  slots: FloatArray[][];
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  step(params: readonly Param[]): void;
  /** A deep copy of the state, safe to keep, clone or send. */
  getState(): OptimizerState;
  /** Put a state from getState back (same kind, same param shapes). */
  setState(state: OptimizerState): void;
}

/** How many state vectors each optimizer keeps per parameter. */
const SLOTS: Record<OptimizerKind, number> = { sgd: 0, momentum: 1, nesterov: 1, adagrad: 1, rmsprop: 1, adam: 2 };

class BookOptimizer implements Optimizer {
  private steps = 0;
  /** slots[i][k]: state vector k of param i, allocated by the backend on the first step. */
  private slots: Matrix[][] = [];

  constructor(
    readonly kind: OptimizerKind,
    private readonly config: TrainingConfig,
    private readonly ops: Ops,
  ) {}

  step(params: readonly Param[]): void {
    this.ensureSlots(params);
    this.steps++;
    const { learningRate: lr, momentum, beta1, beta2, decay } = this.config;
    params.forEach((p, i) => {
      const w = p.value.data;
      const g = p.grad.data;
      const s = this.slots[i]!.map((m) => m.data);
      switch (this.kind) {
        case 'sgd':
          this.ops.sgdUpdate(w, g, lr);
          break;
        case 'momentum':
          this.ops.momentumUpdate(w, g, s[0]!, lr, momentum);
          break;
        case 'nesterov':
          this.ops.nesterovUpdate(w, g, s[0]!, lr, momentum);
          break;
        case 'adagrad':
          this.ops.adagradUpdate(w, g, s[0]!, lr);
          break;
        case 'rmsprop':
          this.ops.rmspropUpdate(w, g, s[0]!, lr, decay);
          break;
        case 'adam':
          this.ops.adamUpdate(w, g, s[0]!, s[1]!, lr, beta1, beta2, this.steps);
          break;
      }
    });
  }

  private ensureSlots(params: readonly Param[]): void {
    if (this.slots.length === 0 && params.length > 0) {
      this.slots = params.map((p) => {
        const row: Matrix[] = [];
        for (let k = 0; k < SLOTS[this.kind]; k++) {
          const m = this.ops.alloc(p.value.rows, p.value.cols);
          m.data.fill(0);
          row.push(m);
        }
        return row;
      });
      return;
    }
    if (this.slots.length !== params.length) {
      throw new StudioError(
        'INTERNAL',
        `${this.kind} optimizer: stepped with ${params.length} params, its state is for ${this.slots.length}`,
      );
    }
    params.forEach((p, i) => {
      for (const m of this.slots[i]!) {
        if (m.size !== p.value.size) {
          throw new StudioError('INTERNAL', `${this.kind} optimizer: param ${i} (${p.name}) changed size since the first step`);
        }
      }
    });
  }

  getState(): OptimizerState {
    return {
      kind: this.kind,
      steps: this.steps,
      slots: this.slots.map((row) => row.map((m) => m.data.slice())),
    };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new StudioError('SHAPE_MISMATCH', `optimizer state is for ${state.kind}, this run uses ${this.kind}`);
    }
    if (!Number.isInteger(state.steps) || state.steps < 0) {
      throw new StudioError('SHAPE_MISMATCH', `optimizer state: steps must be a non-negative integer, got ${state.steps}`);
    }
    const fresh = state.slots.map((row, i) => {
      if (row.length !== SLOTS[this.kind]) {
        throw new StudioError('SHAPE_MISMATCH', `optimizer state: param ${i} has ${row.length} state vectors, ${this.kind} keeps ${SLOTS[this.kind]}`);
      }
      return row.map((values) => {
        const m = this.ops.alloc(1, values.length);
        m.data.set(values);
        return m;
      });
    });
    for (const row of this.slots) for (const m of row) this.ops.free(m);
    this.slots = fresh;
    this.steps = state.steps;
  }
}

export function createOptimizer(config: TrainingConfig, ops: Ops): Optimizer {
  const parsed = trainingConfigSchema.safeParse(config);
  if (!parsed.success) throw new StudioError('BAD_SPEC', describeZodError(parsed.error, 'training config'));
  return new BookOptimizer(parsed.data.optimizer, parsed.data, ops);
}

