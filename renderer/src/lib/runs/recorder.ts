import type { EngineEvent, EventOf } from '../../../../core/protocol/messages.js';
import type { NetworkSpec, TrainingConfig } from '../../../../core/spec.js';
import { CurveBuilder, finite, newRunId, RUN_RECORD_VERSION, type RunData, type RunEpoch, type RunGroup, type RunRecord } from './record.js';

/**
 * Turns the engine's event stream into run records: a run begins when the
 * engine starts training (status running with no run open), collects every batch
 * loss and epoch, and ends with the engine's done event. It listens only, so runs
 * started anywhere (the Train button, a comparison, a search) are all kept.
 */

export interface EventSource {
  subscribe(listener: (ev: EngineEvent) => void): () => void;
}

/** Name and group for the next run to start (set by the queue before it presses start). */
export interface RunLabel {
  name: string;
  group?: RunGroup;
}

interface OpenRun {
  id: string;
  label: RunLabel | null;
  createdAt: number;
  spec: NetworkSpec;
  training: TrainingConfig;
  data: RunData;
  startIteration: number;
  startEpoch: number;
  curve: CurveBuilder;
  epochs: RunEpoch[];
  /** Running time so far (pauses excluded), and since when it is running (null: paused). */
  seconds: number;
  runningSince: number | null;
  lastIteration: number;
  lastSeconds: number;
  samplesPerSecond: number;
}

export class RunRecorder {
  private spec: NetworkSpec | null = null;
  private training: TrainingConfig | null = null;
  private data: RunData | null = null;
  private open: OpenRun | null = null;
  private nextLabel: RunLabel | null = null;
  private counter = 0;
  private readonly unsubscribe: () => void;

  /**
   * `onEnd` gets every finished, stopped or diverged run; `onChange` is called
   * (throttled by the caller if needed) whenever the open run grew.
   */
  constructor(
    source: EventSource,
    private readonly onEnd: (run: RunRecord) => void,
    private readonly onChange: () => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.unsubscribe = source.subscribe((ev) => this.receive(ev));
  }

  dispose(): void {
    this.unsubscribe();
  }

  /** Runs recorded so far by this recorder (numbers the default names). */
  setCounter(n: number): void {
    this.counter = n;
  }

  /** The next run started gets this name and group. */
  label(l: RunLabel | null): void {
    this.nextLabel = l;
  }

  get recording(): boolean {
    return this.open !== null;
  }

  /** The run in progress as a record (not yet stored), or null. */
  current(): RunRecord | null {
    return this.open ? this.toRecord(this.open, 'stopped', 'running') : null;
  }

  private clock(o: OpenRun): number {
    return o.seconds + (o.runningSince !== null ? (this.now() - o.runningSince) / 1000 : 0);
  }

  private receive(ev: EngineEvent): void {
    switch (ev.type) {
      case 'configured':
        this.spec = ev.spec;
        this.training = ev.training;
        return;
      case 'trainingChanged':
        this.training = ev.training;
        return;
      case 'dataLoaded':
        this.data = { name: ev.name, trainCount: ev.trainCount, testCount: ev.testCount, features: ev.features, classes: ev.classNames.length };
        return;
      case 'status':
        return this.onStatus(ev);
      case 'progress':
        return this.onProgress(ev);
      case 'epoch':
        return this.onEpoch(ev);
      case 'done':
        return this.onDone(ev);
      default:
        return;
    }
  }

  private onStatus(ev: EventOf<'status'>): void {
    const o = this.open;
    if (ev.state === 'running') {
      if (!o) this.begin(ev);
      else if (o.runningSince === null) o.runningSince = this.now();
    } else if (o && o.runningSince !== null) {
      o.seconds = this.clock(o);
      o.runningSince = null;
    }
  }

  private begin(ev: EventOf<'status'>): void {
    if (!this.spec || !this.training || !this.data) return; // nothing known to describe the run with
    const label = this.nextLabel;
    this.nextLabel = null;
    this.open = {
      id: newRunId(),
      label,
      createdAt: Date.now(),
      spec: structuredClone(this.spec),
      training: { ...this.training },
      data: { ...this.data },
      startIteration: ev.iteration,
      startEpoch: ev.epoch,
      curve: new CurveBuilder(),
      epochs: [],
      seconds: 0,
      runningSince: this.now(),
      lastIteration: 0,
      lastSeconds: 0,
      samplesPerSecond: 0,
    };
    this.onChange();
  }

  private onProgress(ev: EventOf<'progress'>): void {
    const o = this.open;
    if (!o) return;
    if (ev.samplesPerSecond > 0) o.samplesPerSecond = ev.samplesPerSecond;
    const end = ev.iteration - o.startIteration;
    const now = this.clock(o);
    const losses = ev.batchLosses && ev.batchLosses.length > 0 ? ev.batchLosses : ev.loss !== null ? [ev.loss] : [];
    const first = end - losses.length + 1;
    // The batches of one event trained between the previous event and this one: spread their times evenly.
    for (let i = 0; i < losses.length; i++) {
      const it = first + i;
      if (it <= o.lastIteration) continue;
      const t = o.lastSeconds + ((now - o.lastSeconds) * (i + 1)) / losses.length;
      o.curve.push(it, t, losses[i]!);
      o.lastIteration = it;
    }
    o.lastSeconds = now;
    this.onChange();
  }

  private onEpoch(ev: EventOf<'epoch'>): void {
    const o = this.open;
    if (!o) return;
    const e: RunEpoch = {
      epoch: ev.epoch - o.startEpoch,
      iteration: ev.iteration - o.startIteration,
      seconds: this.clock(o),
      trainLoss: finite(ev.trainLoss),
      trainAccuracy: finite(ev.trainAccuracy),
      testLoss: finite(ev.testLoss),
      testAccuracy: finite(ev.testAccuracy),
    };
    if (ev.validationLoss !== undefined) e.validationLoss = finite(ev.validationLoss);
    if (ev.validationAccuracy !== undefined) e.validationAccuracy = finite(ev.validationAccuracy);
    o.epochs.push(e);
    this.onChange();
  }

  private onDone(ev: EventOf<'done'>): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    o.seconds = this.clock(o);
    o.runningSince = null;
    const record = this.toRecord(o, ev.reason, ev.message);
    if (ev.bestEpoch !== undefined) record.bestEpoch = ev.bestEpoch - o.startEpoch;
    // A run that trained nothing (stopped at once) is not worth a row.
    if (record.iterations > 0) {
      this.counter++;
      this.onEnd(record);
    }
    this.onChange();
  }

  private toRecord(o: OpenRun, status: RunRecord['status'], message: string): RunRecord {
    const seconds = this.clock(o);
    const t = o.training;
    const name = o.label?.name ?? `Run ${this.counter + 1} · ${t.optimizer} lr ${t.learningRate}`;
    const record: RunRecord = {
      version: RUN_RECORD_VERSION,
      id: o.id,
      name,
      createdAt: o.createdAt,
      spec: o.spec,
      training: o.training,
      data: o.data,
      status,
      message: message.slice(0, 2000),
      curve: o.curve.snapshot(),
      epochs: [...o.epochs],
      iterations: o.lastIteration,
      wallSeconds: seconds,
      samplesPerSecond: o.samplesPerSecond,
      hasWeights: false,
    };
    if (o.label?.group) record.group = o.label.group;
    return record;
  }
}
