/**
 * Confusion-matrix arithmetic. Rows are true classes, columns predicted ones
 * (protocol `confusion`: n x n row-major counts).
 */

export interface ConfusionSummary {
  n: number;
  total: number;
  correct: number;
  /** correct / total (NaN when there are no samples). */
  accuracy: number;
  /** Per true class: share of its samples predicted right (NaN for a class with no samples). */
  recall: Float64Array;
  /** Per predicted class: share of its predictions that were right (NaN when never predicted). */
  precision: Float64Array;
  rowTotals: Float64Array;
  colTotals: Float64Array;
}

/** The side of a square matrix held in `length` cells, or an error naming the count. */
export function confusionSize(length: number, classes?: number): number {
  const n = Math.round(Math.sqrt(length));
  if (n * n !== length) throw new RangeError(`confusion matrix: ${length} counts is not a square number`);
  if (classes !== undefined && classes !== n) {
    throw new RangeError(`confusion matrix: ${n}x${n} counts for ${classes} class names`);
  }
  return n;
}

export function summarizeConfusion(counts: ArrayLike<number>, n = confusionSize(counts.length)): ConfusionSummary {
  if (counts.length !== n * n) throw new RangeError(`confusion matrix: ${n}x${n} needs ${n * n} counts, got ${counts.length}`);
  const rowTotals = new Float64Array(n);
  const colTotals = new Float64Array(n);
  let total = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = counts[r * n + c]!;
      rowTotals[r]! += v;
      colTotals[c]! += v;
      total += v;
      if (r === c) correct += v;
    }
  }
  const recall = new Float64Array(n);
  const precision = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const d = counts[k * n + k]!;
    recall[k] = rowTotals[k]! > 0 ? d / rowTotals[k]! : NaN;
    precision[k] = colTotals[k]! > 0 ? d / colTotals[k]! : NaN;
  }
  return { n, total, correct, accuracy: total > 0 ? correct / total : NaN, recall, precision, rowTotals, colTotals };
}

/** Each row divided by its total (rows with no samples stay 0): what the colours show. */
export function rowNormalize(counts: ArrayLike<number>, n = confusionSize(counts.length)): Float64Array {
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += counts[r * n + c]!;
    if (s > 0) for (let c = 0; c < n; c++) out[r * n + c] = counts[r * n + c]! / s;
  }
  return out;
}
