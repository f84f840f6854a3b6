/**
 * Exponential moving average with bias correction (as TensorBoard smooths): the
 * first points are not dragged toward zero, so the smoothed curve starts where the
 * raw one does. Kept incremental because loss points arrive one event at a time.
 */
export class Smoother {
  private avg = 0;
  private n = 0;
  constructor(private readonly weight: number) {
    if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  }

  push(value: number): number {
    if (!Number.isFinite(value)) return value; // a diverged point is shown as is, not averaged away
    this.n++;
    this.avg = this.weight * this.avg + (1 - this.weight) * value;
    return this.avg / (1 - this.weight ** this.n);
  }

  reset(): void {
    this.avg = 0;
    this.n = 0;
  }
}

export function smooth(values: readonly number[], weight: number): number[] {
  const s = new Smoother(weight);
  return values.map((v) => s.push(v));
}
