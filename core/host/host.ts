import { errorMessage, isStudioError, StudioError, type ErrorCode } from '../errors.js';
import type { Ops } from '../ops/types.js';
import { createReferenceOps } from '../ops/reference.js';
import {
  parseCommand,
  PROTOCOL_VERSION,
  transferablesOf,
  type Command,
  type CommandId,
  type CommandOf,
  type DoneReason,
  type StopCause,
  type EngineEvent,
  type EventOf,
  type RunState,
} from '../protocol/messages.js';
import type { PortLike } from '../protocol/port.js';
import { defaultNow, defaultSchedule, type Schedule } from './schedule.js';
import { Session } from './session.js';
import { Throttle } from './throttle.js';
import * as probes from './probes.js';
import * as imageProbes from './image-probes.js';
import { EarlyStopping } from '../early-stopping.js';
import { isStepInterrupt, pingId } from './heartbeat.js';

/**
 * The engine host: one training session behind a message port. The same code
 * runs in Electron's utility process, in a browser Web Worker and in tests
 * (over a real MessageChannel).
 *
 * Commands are handled one at a time in arrival order. Training runs in slices
 * of a few milliseconds; between slices the host yields to the event loop, so
 * pause, stop and inspect are answered within one slice. A paused run keeps its
 * exact place (the trainer's shuffle and optimizer state), so resuming gives the
 * same numbers an uninterrupted run would.
 */
export interface HostOptions {
  /**
   * The numeric backend, or a factory for it (the WebAssembly backend is created
   * asynchronously). Default: the plain TypeScript reference kernels.
   */
  ops?: Ops | (() => Ops | Promise<Ops>);
  /** Milliseconds, monotonic. Injected by tests to drive throttling without waiting. */
  now?: () => number;
  /** How long one training slice runs before the host yields (ms). */
  sliceMs?: number;
  /** Minimum time between two progress events (ms): 50 = at most 20 per second. */
  progressIntervalMs?: number;
  /**
   * Minimum time between two layerStats events while training (ms). Statistics read
   * every weight and gradient, so they come less often than progress (plus one at every
   * epoch end, pause and step).
   */
  statsIntervalMs?: number;
  /** Queues the next slice as a task; injected by tests that want to step slices by hand. */
  schedule?: Schedule;
  /** Runs `fn` after `ms` (slow motion's wait between batches); default setTimeout. */
  delay?: (fn: () => void, ms: number) => void;
}

export interface EngineHost {
  /** Resolves once the backend is ready and `ready` was sent (rejects if the ops factory failed). */
  readonly ready: Promise<void>;
  /** Stop listening and drop the session; a running run ends without events. */
  dispose(): void;
}

export const DEFAULT_SLICE_MS = 12;
export const DEFAULT_PROGRESS_INTERVAL_MS = 50;
/** Batch losses kept between two progress events; older ones are dropped (the chart shows the newest). */
export const MAX_PENDING_LOSSES = 20_000;
export const DEFAULT_STATS_INTERVAL_MS = 250;

export function createHost(port: PortLike, options: HostOptions = {}): EngineHost {
  const host = new Host(port, options);
  return { ready: host.ready, dispose: () => host.dispose() };
}

/** The run in progress: where it ends and what speed it makes. */
interface Run {
  /** Epochs completed when the run started. */
  startEpoch: number;
  /** The run is finished when the trainer has completed this many epochs. */
  endEpoch: number;
  /** Samples trained and clock when (re)started, for samples per second. */
  speedSamples: number;
  speedTime: number;
  /** Watches the run when training.earlyStopping is set. */
  early: EarlyStopping | null;
}

class Host {
  readonly ready: Promise<void>;
  private session: Session | null = null;
  private state: RunState = 'idle';
  private run: Run | null = null;
  private readonly queue: unknown[] = [];
  private busy = false;
  private disposed = false;
  private sliceQueued = false;
  private readonly unlisten: () => void;
  private readonly now: () => number;
  private readonly schedule: Schedule;
  private readonly sliceMs: number;
  private readonly progressThrottle: Throttle;
  private readonly statsThrottle: Throttle;
  private lastLoss: number | null = null;
  /** Batch losses not yet sent (bounded: a stalled port must not grow it without limit). */
  private pendingLosses: number[] = [];
  private samplesPerSecond = 0;
  /** The `step` in progress; a pause or stop that arrives sets `interrupted`. */
  private stepping: { interrupted: boolean } | null = null;
  /** A step was ended by a pause or stop, which then succeeds even with no run to pause or stop. */
  private stepInterrupted = false;
  /** Slow motion (setPace): wait this long after every batch of a run; 0 = slices at full speed. */
  private batchDelayMs = 0;
  private readonly delay: (fn: () => void, ms: number) => void;

  constructor(
    private readonly port: PortLike,
    options: HostOptions,
  ) {
    this.now = options.now ?? defaultNow();
    this.schedule = options.schedule ?? defaultSchedule();
    this.delay = options.delay ?? ((fn, ms) => void setTimeout(fn, ms));
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.progressThrottle = new Throttle(options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS, this.now);
    this.statsThrottle = new Throttle(options.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS, this.now);
    // Listen at once: commands that arrive while the backend loads wait in the queue.
    this.unlisten = port.onMessage((data) => this.enqueue(data));
    this.ready = this.init(options.ops);
  }

  private async init(opsOption: HostOptions['ops']): Promise<void> {
    let ops: Ops;
    try {
      ops = typeof opsOption === 'function' ? await opsOption() : (opsOption ?? createReferenceOps('f32'));
    } catch (e) {
      // Without a backend nothing can run: say so to the client, which can restart the engine.
      this.send({ type: 'error', code: 'INTERNAL', message: `the numeric backend failed to start: ${errorMessage(e)}` });
      throw e;
    }
    if (this.disposed) return;
    this.session = new Session(ops);
    this.send({ type: 'ready', protocol: PROTOCOL_VERSION, ops: ops.name });
    this.drain();
  }

  dispose(): void {
    this.disposed = true;
    this.state = 'idle';
    this.run = null;
    this.queue.length = 0;
    this.unlisten();
  }

  // -------------------------------------------------------------------------
  // Messages in
  // -------------------------------------------------------------------------

  private enqueue(data: unknown): void {
    if (this.disposed) return;
    // A sign of life goes ahead of everything queued (core/host/heartbeat.ts).
    const ping = pingId(data);
    if (ping !== undefined) return this.send({ type: 'ack', id: ping });
    if (this.stepping && isStepInterrupt(data)) this.stepping.interrupted = true;
    this.queue.push(data);
    this.drain();
  }

  /** Handle queued messages in order; none is handled while another is (commands may be async). */
  private drain(): void {
    if (this.busy || !this.session) return;
    this.busy = true;
    void (async () => {
      try {
        while (this.queue.length > 0 && !this.disposed) {
          await this.handle(this.queue.shift());
        }
      } finally {
        this.busy = false;
      }
      this.kick();
    })();
  }

  private async handle(raw: unknown): Promise<void> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) {
      this.send(
        parsed.id === undefined
          ? { type: 'error', code: 'BAD_MESSAGE', message: parsed.message }
          : { type: 'error', id: parsed.id, code: 'BAD_MESSAGE', message: parsed.message },
      );
      return;
    }
    const cmd = parsed.command;
    try {
      await this.execute(cmd);
      this.send({ type: 'ack', id: cmd.id });
    } catch (e) {
      this.fail(cmd.id, e);
    }
  }

  private fail(id: CommandId | undefined, e: unknown): void {
    const code: ErrorCode = isStudioError(e) ? e.code : 'INTERNAL';
    let message = errorMessage(e);
    if (!isStudioError(e)) {
      // A bug or an exhausted resource (RangeError: Array buffer allocation failed): still one line.
      message = `internal error: ${message.split('\n')[0]}`;
    }
    // Where the bad input is, when the error knows it (file, line, column, field).
    const where = isStudioError(e) && Object.keys(e.where).length > 0 ? { where: { ...e.where } } : {};
    this.send(id === undefined ? { type: 'error', code, message, ...where } : { type: 'error', id, code, message, ...where });
  }

  private get s(): Session {
    if (!this.session) throw new StudioError('INTERNAL', 'the engine is not ready yet');
    return this.session;
  }

  private async execute(cmd: Command): Promise<void> {
    switch (cmd.type) {
      // Network and data: prepare (may fail, changes nothing), stop a run, then commit.
      case 'configure': {
        const commit = this.s.prepareConfigure(cmd.spec, cmd.training);
        this.interrupt('stopped: the network was reconfigured');
        this.send({ ...commit(), id: cmd.id });
        this.sendStatus();
        return;
      }
      case 'setTraining': {
        if (this.state === 'running') throw new StudioError('NOT_READY', 'cannot change the training settings while training runs; pause first');
        this.send({ ...this.s.setTraining(cmd.training), id: cmd.id });
        return;
      }
      case 'loadData': {
        const commit = this.s.prepareLoadFile(cmd);
        this.interrupt('stopped: new data loaded');
        this.send({ ...commit(), id: cmd.id });
        this.sendStatus();
        return;
      }
      case 'loadBuiltin': {
        const commit = this.s.prepareLoadBuiltin(cmd);
        this.interrupt('stopped: new data loaded');
        this.send({ ...commit(), id: cmd.id });
        this.sendStatus();
        return;
      }
      case 'start':
        return this.start();
      case 'pause':
        return this.pause();
      case 'resume':
        return this.resume();
      case 'stop':
        return this.stop();
      case 'step':
        return this.step(cmd);
      case 'ping':
        return; // answered ahead of the queue (enqueue); a queued one has nothing left to do
      case 'resetWeights': {
        this.interrupt('stopped: the weights were reset');
        this.s.resetWeights(cmd.seed);
        this.lastLoss = null;
        this.pendingLosses = [];
        this.sendProgress(true);
        this.sendLayerStats();
        this.sendStatus();
        return;
      }
      case 'inspect':
        this.send(this.s.inspect(cmd.id, cmd.layer));
        return;
      case 'gradcheck':
        this.send(this.s.gradcheck(cmd.id, cmd.samples));
        return;
      case 'exportModel':
        this.send({ type: 'modelExported', id: cmd.id, bytes: this.s.exportModel() });
        return;
      case 'importModel': {
        const commit = this.s.prepareImportModel(cmd.name, cmd.bytes);
        this.interrupt('stopped: a model was opened');
        const { configured, imported } = commit();
        this.send({ ...configured, id: cmd.id });
        this.send({ ...imported, id: cmd.id });
        this.sendStatus();
        return;
      }
      case 'evaluate': {
        const { evaluation, confusion } = this.s.evaluate();
        this.send({ ...evaluation, id: cmd.id });
        if (confusion) this.send(confusion);
        return;
      }
      // Probes: look inside or try the network; nothing changes, so a run goes on.
      case 'trace':
        this.send({ ...probes.trace(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'checkWeight':
        this.send({ ...probes.checkWeight(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'predict':
        this.send({ ...probes.predict(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'evaluateFile':
        this.send({ ...probes.evaluateFile(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'predictFile':
        this.send({ ...probes.predictFile(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'featureMaps':
        this.send({ ...imageProbes.featureMaps(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'layerTensors':
        this.send({ ...imageProbes.layerTensors(this.s.probeView(), cmd), id: cmd.id });
        return;
      case 'setPace':
        this.batchDelayMs = cmd.batchDelayMs;
        return;
      case 'predictGrid':
        this.send({ ...this.s.predictGrid(cmd.bounds, cmd.cols, cmd.rows), id: cmd.id });
        return;
      case 'samples':
        this.send({ ...this.s.samples(cmd.which, cmd.offset, cmd.limit, cmd.pair), id: cmd.id });
        return;
      case 'restoreCheckpoint': {
        const commit = this.s.prepareRestoreCheckpoint(cmd.bytes);
        this.interrupt('stopped: a checkpoint was restored');
        commit();
        this.lastLoss = null;
        this.pendingLosses = [];
        if (cmd.endEpoch !== undefined && cmd.endEpoch > this.s.epoch()) {
          // The run that was in progress when the checkpoint was taken, ready to resume.
          const epochs = this.s.trainingEpochs();
          this.run = { startEpoch: Math.max(0, cmd.endEpoch - epochs), endEpoch: cmd.endEpoch, speedSamples: this.s.samplesTrained(), speedTime: this.now(), early: this.earlyStopping() };
          this.state = 'paused';
        }
        this.sendProgress(true);
        this.sendLayerStats();
        this.sendStatus();
        return;
      }
      default: {
        const unhandled: never = cmd;
        throw new StudioError('INTERNAL', `no handler for command ${JSON.stringify((unhandled as { type: string }).type)}`);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Run control
  // -------------------------------------------------------------------------

  private start(): void {
    if (this.state === 'running') throw new StudioError('NOT_READY', 'cannot start: training is already running');
    if (this.state === 'paused') throw new StudioError('NOT_READY', 'cannot start: a run is paused; resume or stop it first');
    this.s.assertTrainable('start');
    // A run covers `epochs` epochs counted from the current one: batches taken with
    // `step` before start belong to the first epoch of the run.
    const epoch = this.s.epoch();
    const early = this.earlyStopping();
    this.run = { startEpoch: epoch, endEpoch: epoch + this.s.trainingEpochs(), speedSamples: this.s.samplesTrained(), speedTime: this.now(), early };
    this.samplesPerSecond = 0;
    this.progressThrottle.reset();
    this.statsThrottle.reset();
    this.state = 'running';
    this.sendStatus();
    this.sendProgress(true);
  }

  private pause(): void {
    if (this.state !== 'running' && this.takeStepInterrupt()) return;
    if (this.state !== 'running') throw new StudioError('NOT_READY', `cannot pause: training is ${this.state === 'paused' ? 'already paused' : 'not running'}`);
    this.state = 'paused';
    this.sendProgress(true);
    this.sendLayerStats();
    this.sendStatus();
  }

  private resume(): void {
    if (this.state !== 'paused' || !this.run) throw new StudioError('NOT_READY', `cannot resume: training is ${this.state === 'running' ? 'already running' : 'not paused'}`);
    this.s.assertTrainable('resume');
    this.run.speedSamples = this.s.samplesTrained();
    this.run.speedTime = this.now();
    this.state = 'running';
    this.sendStatus();
  }

  private stop(): void {
    if (this.state === 'idle' && this.takeStepInterrupt()) return;
    if (this.state === 'idle') throw new StudioError('NOT_READY', 'cannot stop: no training run in progress');
    this.stepInterrupted = false; // a step this stop ended is over, with the run
    this.finish('stopped', 'stopped by the user', 'user');
  }

  /**
   * `count` batches now, in the current run if there is one (paused), else outside
   * any run. In slices, like a run: between two the host reads its port, and a
   * pause or stop that arrived ends the step there (the step is acked first).
   */
  private async step(cmd: CommandOf<'step'>): Promise<void> {
    if (this.state === 'running') throw new StudioError('NOT_READY', 'cannot step while training runs; pause first');
    this.s.assertTrainable('step');
    const t0 = this.now();
    const n0 = this.s.samplesTrained();
    const stepping = { interrupted: false };
    this.stepping = stepping;
    this.stepInterrupted = false;
    try {
      let done = 0;
      while (done < cmd.count) {
        const sliceStart = this.now();
        do {
          if (!this.trainOneBatch()) return; // diverged or the run finished: already reported
          done++;
        } while (done < cmd.count && this.now() - sliceStart < this.sliceMs);
        if (done >= cmd.count) break;
        if (this.progressThrottle.take()) this.sendProgress(false);
        await new Promise<void>((resume) => this.schedule(resume));
        if (this.disposed || stepping.interrupted) break;
      }
    } finally {
      this.stepping = null;
      this.stepInterrupted = stepping.interrupted;
    }
    const dt = (this.now() - t0) / 1000;
    if (dt > 0) this.samplesPerSecond = (this.s.samplesTrained() - n0) / dt;
    this.sendProgress(true);
    this.sendLayerStats();
  }

  /** True once after a step that a pause or stop ended: that pause or stop has done its work. */
  private takeStepInterrupt(): boolean {
    const was = this.stepInterrupted;
    this.stepInterrupted = false;
    if (was) this.sendStatus();
    return was;
  }

  /** The watcher of a new run, or null; refuses a watch on a set the session does not have. */
  private earlyStopping(): EarlyStopping | null {
    const settings = this.s.trainingConfig()?.earlyStopping;
    if (!settings) return null;
    if (settings.monitor === 'validation' && !this.s.hasValidation()) {
      throw new StudioError('NOT_READY', 'early stopping watches the validation loss, but no validation set is held out: set a validation split (it takes effect with new weights) or watch the test loss', { field: 'earlyStopping.monitor' });
    }
    if (settings.monitor === 'test' && !this.s.hasTestSet()) {
      throw new StudioError('NOT_READY', 'early stopping watches the test loss, but the data has no test set', { field: 'earlyStopping.monitor' });
    }
    return new EarlyStopping(settings);
  }

  /**
   * An epoch ended: early stopping looks at its loss. Returns the words of the
   * run's end when it must end here, else null.
   */
  private watchEpoch(epoch: EventOf<'epoch'>): string | null {
    const early = this.run?.early;
    if (!early) return null;
    const { monitor, patience } = early.settings;
    const loss = monitor === 'validation' ? epoch.validationLoss : epoch.testLoss;
    if (loss === undefined || loss === null) return null;
    if (!early.observe(epoch.epoch, loss, this.s.weights())) return null;
    return `finished early: the ${monitor} loss has not improved for ${patience} epoch${patience === 1 ? '' : 's'}`;
  }

  /** At the end of a watched run, the best epoch's weights go back into the network; says so. */
  private restoreBest(message: string): { message: string; bestEpoch?: number } {
    const early = this.run?.early;
    if (!early || early.bestEpoch === null) return { message };
    const best = early.bestEpoch;
    const restored = early.restoreBest(this.s.weights());
    const loss = `${early.settings.monitor} loss ${early.bestValue.toPrecision(4)}`;
    if (restored === null) return { message: `${message}; epoch ${best} had the lowest ${loss}`, bestEpoch: best };
    // A crash from here on must come back with the restored weights, not the last epoch's.
    this.send(this.s.checkpointNow(null));
    return { message: `${message}; the weights of epoch ${best} (${loss}) were restored`, bestEpoch: best };
  }

  /** Leave any run in progress before the network or data change, and say why. */
  private interrupt(message: string): void {
    if (this.state !== 'idle') this.finish('stopped', message, 'interrupted');
  }

  private finish(reason: DoneReason, message: string, stoppedBy?: StopCause, bestEpoch?: number): void {
    this.state = 'idle';
    this.sendProgress(true); // with the run still known: its final fraction
    this.run = null;
    this.sendLayerStats();
    // Status before done: a client that waits for done already sees the idle state.
    this.sendStatus();
    this.send({ type: 'done', reason, epoch: this.s.epoch(), iteration: this.s.iteration(), message, ...(stoppedBy ? { stoppedBy } : {}), ...(bestEpoch !== undefined ? { bestEpoch } : {}) });
  }

  /**
   * One batch, with what follows from it: an epoch end (evaluation, confusion,
   * checkpoint), the end of the run, divergence. Returns false when training must
   * not go on (the run ended or diverged).
   */
  private trainOneBatch(): boolean {
    const s = this.s;
    const { loss, epochEnded } = s.trainBatch();
    this.lastLoss = loss;
    if (this.pendingLosses.length >= MAX_PENDING_LOSSES) this.pendingLosses.shift();
    this.pendingLosses.push(loss);
    if (!Number.isFinite(loss)) {
      this.finish('diverged', `diverged: the loss became ${loss} at iteration ${s.iteration()}; lower the learning rate or reset the weights`);
      return false;
    }
    if (epochEnded) {
      const { epoch, confusion, checkpoint } = s.finishEpoch();
      this.send(epoch);
      this.sendLayerStats();
      if (confusion) this.send(confusion);
      this.send({ ...checkpoint, endEpoch: this.run ? this.run.endEpoch : null });
      const bad = !Number.isFinite(epoch.trainLoss) ? ['training', epoch.trainLoss] : epoch.testLoss !== null && !Number.isFinite(epoch.testLoss) ? ['test', epoch.testLoss] : null;
      if (bad) {
        this.finish('diverged', `diverged: the ${bad[0]} loss became ${bad[1]} after epoch ${epoch.epoch}; lower the learning rate or reset the weights`);
        return false;
      }
      const early = this.watchEpoch(epoch);
      if (early !== null || (this.run && s.epoch() >= this.run.endEpoch)) {
        const end = this.restoreBest(early ?? `finished ${s.epoch()} epochs`);
        this.finish('finished', end.message, undefined, end.bestEpoch);
        return false;
      }
    }
    return true;
  }

  /** Queue the next training slice if one should run. */
  private kick(): void {
    if (this.state !== 'running' || this.sliceQueued || this.disposed) return;
    this.sliceQueued = true;
    const next = (): void => {
      this.sliceQueued = false;
      this.slice();
    };
    // Slow motion waits between batches as a timer: pause, stop and every other command still get in.
    if (this.batchDelayMs > 0) this.delay(next, this.batchDelayMs);
    else this.schedule(next);
  }

  private slice(): void {
    // Commands first: a pause that arrived must win over the next batch.
    if (this.state !== 'running' || this.busy || this.disposed || !this.run) return;
    const t0 = this.now();
    try {
      do {
        if (!this.trainOneBatch()) return;
      } while (this.batchDelayMs === 0 && this.now() - t0 < this.sliceMs);
    } catch (e) {
      // A failure inside training (out of memory, a bug) ends the run cleanly.
      this.fail(undefined, e);
      if ((this.state as RunState) !== 'idle') this.finish('stopped', `stopped: ${errorMessage(e)}`, 'failed');
      return;
    }
    const run = this.run;
    const dt = (this.now() - run.speedTime) / 1000;
    if (dt > 0) this.samplesPerSecond = (this.s.samplesTrained() - run.speedSamples) / dt;
    // In slow motion every batch is worth showing (at most 1000 / batchDelayMs a second).
    if (this.batchDelayMs > 0) this.sendProgress(true);
    else if (this.progressThrottle.take()) this.sendProgress(false);
    if (this.statsThrottle.take()) this.sendLayerStats();
    this.kick();
  }

  // -------------------------------------------------------------------------
  // Events out
  // -------------------------------------------------------------------------

  private sendProgress(force: boolean): void {
    if (!this.session || !this.session.hasNetwork()) return;
    if (force) this.progressThrottle.mark();
    const s = this.session;
    let fraction = 0;
    let secondsLeft: number | null = null;
    if (this.run) {
      // In epochs (batch sizes may change with setTraining): completed ones plus the share of this one.
      const length = this.run.endEpoch - this.run.startEpoch;
      const at = s.epoch() + s.epochFraction();
      fraction = length > 0 ? Math.min(1, Math.max(0, (at - this.run.startEpoch) / length)) : 0;
      if (this.samplesPerSecond > 0) secondsLeft = (Math.max(0, this.run.endEpoch - at) * s.trainCount()) / this.samplesPerSecond;
    }
    const batchLosses = this.pendingLosses.length > 0 ? Float32Array.from(this.pendingLosses) : undefined;
    this.pendingLosses = [];
    this.send({
      type: 'progress',
      state: this.state,
      iteration: s.iteration(),
      epoch: s.epoch(),
      loss: this.lastLoss,
      ...(batchLosses ? { batchLosses } : {}),
      samplesPerSecond: this.samplesPerSecond,
      fraction,
      secondsLeft,
    });
  }

  private sendLayerStats(): void {
    if (!this.session || !this.session.hasNetwork()) return;
    this.statsThrottle.mark();
    this.send(this.session.layerStats());
  }

  private sendStatus(): void {
    const s = this.session;
    this.send({
      type: 'status',
      state: this.state,
      hasNetwork: s?.hasNetwork() ?? false,
      hasData: s?.hasData() ?? false,
      epoch: s?.hasNetwork() ? s.epoch() : 0,
      iteration: s?.hasNetwork() ? s.iteration() : 0,
    });
  }

  private send(ev: EngineEvent): void {
    if (this.disposed) return;
    this.port.postMessage(ev, transferablesOf(ev));
  }
}
