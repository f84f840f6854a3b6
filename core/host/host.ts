import { errorMessage, StudioError } from '../errors.js';
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
  type RunState,
} from '../protocol/messages.js';
import type { PortLike } from '../protocol/port.js';
import { defaultNow, defaultSchedule, type Schedule } from './schedule.js';
import { Session } from './session.js';
import { Throttle } from './throttle.js';
import type { EarlyStopping } from '../early-stopping.js';
import { isStepInterrupt, pingId } from './heartbeat.js';
import {
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_SLICE_MS,
  DEFAULT_STATS_INTERVAL_MS,
  MAX_PENDING_LOSSES,
  type EngineHost,
  type HostOptions,
} from './host-options.js';
import { earlyStoppingFor, restoreBest, watchEpoch } from './run-watch.js';
import { answerQuery } from './query-commands.js';
import { errorEventFor, progressEvent, statusEvent } from './host-events.js';

export type { EngineHost, HostOptions } from './host-options.js';
export { DEFAULT_PROGRESS_INTERVAL_MS, DEFAULT_SLICE_MS, DEFAULT_STATS_INTERVAL_MS, MAX_PENDING_LOSSES } from './host-options.js';

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
    this.send({ type: 'ready', protocol: PROTOCOL_VERSION, ops: ops.name, ...(ops.note ? { opsNote: ops.note.slice(0, 2000) } : {}) });
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
    this.send(errorEventFor(id, e));
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
        const { configured, data } = commit();
        this.send({ ...configured, id: cmd.id });
        // Data that was lined up with an opened model goes back to the file's own classes and columns.
        if (data) this.send({ ...data, id: cmd.id });
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
        const data = this.s.resetWeights(cmd.seed);
        // Data read with the old weights' statistics is read with its own again: the page shows which.
        if (data) this.send({ ...data, id: cmd.id });
        this.lastLoss = null;
        this.pendingLosses = [];
        this.sendProgress(true);
        this.sendLayerStats();
        this.sendStatus();
        return;
      }
      case 'importModel': {
        const commit = this.s.prepareImportModel(cmd.name, cmd.bytes);
        this.interrupt('stopped: a model was opened');
        const { configured, data, imported } = commit();
        this.send({ ...configured, id: cmd.id });
        // The loaded data, lined up with the model's classes and columns, before the reply the page acts on.
        if (data) this.send({ ...data, id: cmd.id });
        this.send({ ...imported, id: cmd.id });
        this.sendStatus();
        return;
      }
      // Queries: look inside or try the network; nothing changes, so a run goes on (query-commands.ts).
      case 'inspect':
      case 'gradcheck':
      case 'exportModel':
      case 'evaluate':
      case 'trace':
      case 'checkWeight':
      case 'predict':
      case 'evaluateFile':
      case 'predictFile':
      case 'featureMaps':
      case 'layerTensors':
      case 'predictGrid':
      case 'samples':
        for (const ev of answerQuery(this.s, cmd)) this.send(ev);
        return;
      case 'setPace':
        this.batchDelayMs = cmd.batchDelayMs;
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
          this.run = { startEpoch: Math.max(0, cmd.endEpoch - epochs), endEpoch: cmd.endEpoch, speedSamples: this.s.samplesTrained(), speedTime: this.now(), early: earlyStoppingFor(this.s) };
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
    const early = earlyStoppingFor(this.s);
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

  /** Leave any run in progress before the network or data change, and say why. */
  private interrupt(message: string): void {
    if (this.state !== 'idle') this.finish('stopped', message, 'interrupted');
  }

  private finish(reason: DoneReason, message: string, stoppedBy?: StopCause, bestEpoch?: number): void {
    this.state = 'idle';
    const dt = this.run ? (this.now() - this.run.speedTime) / 1000 : 0; // a run ended in its first slice has no speed yet
    if (this.run && dt > 0) this.samplesPerSecond = (this.s.samplesTrained() - this.run.speedSamples) / dt;
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
      const early = watchEpoch(this.run?.early, epoch, s);
      if (early !== null || (this.run && s.epoch() >= this.run.endEpoch)) {
        const end = restoreBest(this.run?.early, s, early ?? `finished ${s.epoch()} epochs`);
        // A crash from here on must come back with the restored weights, not the last epoch's.
        if (end.checkpoint) this.send(end.checkpoint);
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
    const losses = this.pendingLosses;
    this.pendingLosses = [];
    this.send(progressEvent(this.session, this.state, this.run, this.lastLoss, losses, this.samplesPerSecond));
  }

  private sendLayerStats(): void {
    if (!this.session || !this.session.hasNetwork()) return;
    this.statsThrottle.mark();
    this.send(this.session.layerStats());
  }

  private sendStatus(): void {
    this.send(statusEvent(this.session, this.state));
  }

  private send(ev: EngineEvent): void {
    if (this.disposed) return;
    this.port.postMessage(ev, transferablesOf(ev));
  }
}
