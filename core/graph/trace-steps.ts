/**
 * Where a step-by-step walk through a network trace stands. A trace of E edges
 * (x, h1, …, scores, L) has E + 1 nodes (x, the layers, the loss, L); edge e runs
 * from node e to node e + 1. The walk has 2E steps:
 *
 *   forward, steps 1..E:   step p shows the value of edge p − 1, made by node p − 1
 *                          (step 1 feeds x in; step E is the loss computing L);
 *   backward, steps E+1..2E: step E + k shows the gradient of edge E − k, made by
 *                          node E − k + 1 (first dL/dL = 1 at L, last dx at the first layer,
 *                          which fills its dW and db in the same step).
 *
 * Position 0 shows nothing yet. Pure arithmetic, so the UI and its keyboard
 * (Right, Left, Home, End) can be tested without a DOM.
 */
export type TracePhase = 'ready' | 'forward' | 'backward' | 'done';

export interface TraceStep {
  phase: TracePhase;
  /** The node that did the last step (null before the first). */
  active: number | null;
  /** The last step was forward (value) or backward (gradient). */
  direction: 'forward' | 'backward' | null;
  /** The edge whose value or gradient the last step revealed. */
  edge: number | null;
}

export function stepCount(edges: number): number {
  return 2 * edges;
}

export function clampStep(position: number, edges: number): number {
  return Math.max(0, Math.min(stepCount(edges), Math.trunc(position)));
}

export function valueShown(edge: number, position: number, edges: number): boolean {
  return edge < Math.min(position, edges);
}

export function gradShown(edge: number, position: number, edges: number): boolean {
  return position > edges && edge >= 2 * edges - position;
}

/** A node's backward is done (its parameter gradients are known) once its input edge has its gradient. */
export function nodeBackwardDone(node: number, position: number, edges: number): boolean {
  return node >= 1 && gradShown(node - 1, position, edges);
}

export function traceStep(position: number, edges: number): TraceStep {
  const p = clampStep(position, edges);
  if (p === 0) return { phase: 'ready', active: null, direction: null, edge: null };
  if (p <= edges) return { phase: p === edges ? 'backward' : 'forward', active: p - 1, direction: 'forward', edge: p - 1 };
  const k = p - edges;
  return { phase: p === 2 * edges ? 'done' : 'backward', active: edges - k + 1, direction: 'backward', edge: edges - k };
}

/** The position after a key press (Right/Left one step, Home to the start, End to the end); null for other keys. */
export function stepForKey(key: string, position: number, edges: number): number | null {
  switch (key) {
    case 'ArrowRight':
      return clampStep(position + 1, edges);
    case 'ArrowLeft':
      return clampStep(position - 1, edges);
    case 'Home':
      return 0;
    case 'End':
      return stepCount(edges);
    default:
      return null;
  }
}
