import type { EventOf } from '../../../../core/protocol/messages.js';

/** One row of the per-class table (as the CLI's eval prints it). */
export interface PerClassRow {
  name: string;
  samples: number;
  accuracy: number;
  /** The wrong class this one is most often predicted as; null when never wrong (or no samples). */
  confusedWith: string | null;
}

/** Per-class samples, accuracy and most common mistake from a confusion matrix (row = true class). */
export function perClassRows(counts: Int32Array, classNames: readonly string[]): PerClassRow[] {
  const n = classNames.length;
  return classNames.map((name, t) => {
    let samples = 0, worst = -1, worstCount = 0;
    for (let p = 0; p < n; p++) {
      const c = counts[t * n + p] ?? 0;
      samples += c;
      if (p !== t && c > worstCount) {
        worst = p;
        worstCount = c;
      }
    }
    const correct = counts[t * n + t] ?? 0;
    return { name, samples, accuracy: samples ? correct / samples : 0, confusedWith: worst >= 0 ? classNames[worst]! : null };
  });
}

/** A CSV cell: quoted when it holds a comma, quote or line break. */
function cell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** row, (label,) predicted, p(class)… for every row of a predictFile answer. */
export function probabilitiesCsv(r: EventOf<'filePredictions'>): string {
  const k = r.classNames.length;
  const head = ['row', ...(r.labels ? ['label'] : []), 'predicted', ...r.classNames.map((c) => `p(${c})`)];
  const lines = [head.map(cell).join(',')];
  for (let i = 0; i < r.rows; i++) {
    const p = r.probs.subarray(i * k, (i + 1) * k);
    let best = 0;
    for (let j = 1; j < k; j++) if (p[j]! > p[best]!) best = j;
    const label = r.labels ? [r.classNames[r.labels[i]!] ?? String(r.labels[i])] : [];
    lines.push([String(i), ...label, r.classNames[best] ?? String(best), ...Array.from(p, (v) => v.toPrecision(6))].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
