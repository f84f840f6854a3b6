import { toCsv } from '../csv.js';
import { runMetrics, type RunRecord } from './record.js';

/** A run's curves as CSV: one row per kept batch point, then one per epoch (exact values). */
export function runsCsv(runs: readonly RunRecord[]): string {
  const header = ['run', 'kind', 'epoch', 'iteration', 'seconds', 'loss', 'train_loss', 'train_accuracy', 'test_loss', 'test_accuracy', 'validation_loss', 'validation_accuracy'];
  const rows: (string | number | null)[][] = [];
  for (const r of runs) {
    r.curve.iterations.forEach((it, i) => rows.push([r.name, 'batch', null, it, round(r.curve.seconds[i]!), r.curve.losses[i] ?? null, null, null, null, null, null, null]));
    for (const e of r.epochs) {
      rows.push([r.name, 'epoch', e.epoch, e.iteration, round(e.seconds), null, e.trainLoss, e.trainAccuracy, e.testLoss, e.testAccuracy, e.validationLoss ?? null, e.validationAccuracy ?? null]);
    }
  }
  return toCsv(header, rows);
}

const round = (s: number): number => Math.round(s * 1000) / 1000;

/** The settings of runs as JSON: enough to train each again (network, data, every training setting). */
export function runsSettingsJson(runs: readonly RunRecord[]): string {
  return (
    JSON.stringify(
      runs.map((r) => ({
        name: r.name,
        createdAt: new Date(r.createdAt).toISOString(),
        group: r.group?.label,
        data: r.data,
        spec: r.spec,
        training: r.training,
        status: r.status,
        message: r.message,
        iterations: r.iterations,
        wallSeconds: round(r.wallSeconds),
        samplesPerSecond: Math.round(r.samplesPerSecond),
        bestEpoch: r.bestEpoch,
        metrics: runMetrics(r),
      })),
      null,
      2,
    ) + '\n'
  );
}

/** "runs-optimizers.csv": a file name from a run or group name. */
export function exportName(stem: string, ext: string): string {
  const s = stem.replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 60);
  return `${s || 'runs'}.${ext}`;
}
