import { errorMessage } from '../../../../core/errors.js';
import type { EventOf, RunState } from '../../../../core/protocol/messages.js';
import type { EngineLink } from '../engine-link.js';
import { formatPercent } from '../format.js';
import type { DataState } from './data.svelte.js';
import type { NetworkDraft } from './draft.svelte.js';
import type { EngineStatus } from './engine-status.svelte.js';
import type { RunHistory } from './history.svelte.js';
import type { ModelDocument } from './model.svelte.js';
import type { Notices } from './notices.svelte.js';
import { sameJson } from './same-json.js';

/**
 * Training runs and what the engine is asked to do with the network: apply the
 * editor's draft (never throwing away unsaved weights without asking), train,
 * pause, step, stop, reset the weights, evaluate, check gradients, inspect.
 */

/** "diverged: the loss became NaN at iteration 4" -> "The loss became NaN at iteration 4." (the title already says what). */
export function sentence(message: string): string {
  const m = message.replace(/^(diverged|stopped|finished):\s*/, '');
  return `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
}

/** How long editor changes wait before they are applied (edits come in bursts while typing). */
export const SYNC_DELAY_MS = 250;

export interface RunContext {
  link: Pick<EngineLink, 'send'>;
  status: EngineStatus;
  notices: Notices;
  history: RunHistory;
  draft: NetworkDraft;
  data: DataState;
  model: ModelDocument;
  /** A comparison or search queue is building and training its own networks (RunsState.busy). */
  queueBusy?: () => boolean;
}

export type GradcheckOutcome = { ok: true; result: EventOf<'gradcheckResult'> } | { ok: false; message: string };

export class RunControl {
  runState = $state<RunState>('idle');

  /** Network edits are applied right away, so they are locked while a run is under way. */
  editorLocked = $derived(this.runState !== 'idle');
  /** Editor and engine differ in the network itself (weights must be rebuilt). */
  networkChanged = $derived.by(() => {
    const net = this.ctx.model.engineNet;
    return net !== null && !sameJson(net.spec, this.ctx.draft.spec);
  });
  /** Training settings differ from what the engine will use. */
  trainingChanged = $derived.by(() => {
    const net = this.ctx.model.engineNet;
    return net !== null && !sameJson(net.training, this.ctx.draft.training);
  });
  /** A change in the network waits for Train because it would discard unsaved weights. */
  networkPending = $derived(this.networkChanged && this.runState === 'idle');
  /** Why Train cannot be pressed now, in words; null when it can. */
  trainBlocker = $derived.by(() => {
    const health = this.ctx.status.health;
    if (health === 'starting') return 'The engine is starting…';
    if (health === 'restarting') return 'The engine is restarting…';
    if (health === 'failed') return 'The engine is not running: restart it.';
    if (!this.ctx.data.loaded) return 'Load data first: pick a built-in set or open a file.';
    if (this.ctx.data.loaded.classNames.length < 2) return 'The label column has only one class: a classifier needs at least two. Choose another label column.';
    if (this.ctx.draft.analysis.problem) return this.ctx.draft.analysis.problem;
    if (this.ctx.status.busy) return this.ctx.status.busy;
    return null;
  });

  /** The user already agreed to lose the unsaved weights: the next rebuild needs no question. */
  discardApproved = false;
  private syncTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ctx: RunContext) {}

  /** Apply the editor to the engine soon. */
  scheduleSync(): void {
    this.cancelPendingSync();
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      void this.sync('auto');
    }, SYNC_DELAY_MS);
  }

  cancelPendingSync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  /**
   * Make the engine hold the editor's network and settings.
   * - A changed network means new weights: done at once when nothing unsaved is
   *   lost ('auto'), else on Train after asking ('train'). Only while idle.
   * - Changed training settings keep the weights (setTraining), idle or paused;
   *   the seed and initializer then wait for the next Reset.
   */
  async sync(mode: 'auto' | 'train'): Promise<boolean> {
    this.cancelPendingSync();
    const { status, data, draft, model, link } = this.ctx;
    if (status.health !== 'ready' || !data.loaded || data.loaded.classNames.length < 2 || draft.analysis.problem || this.runState === 'running') return false;
    // Another owner of the engine's network: a build now would land after the opened model, or
    // between a queued run's build and its start (training the editor's network under that run's name).
    if (model.opening || this.ctx.queueBusy?.()) return false;
    const { spec, training } = draft.snapshot();
    const e = model.engineNet;
    const netSame = e !== null && sameJson(e.spec, spec);
    const trainSame = e !== null && sameJson(e.training, training);
    if (netSame && trainSame) return true;
    try {
      if (netSame && model.weightsWorthKeeping) {
        await link.send({ type: 'setTraining', training });
        return true;
      }
      if (this.runState !== 'idle') return false; // a paused run keeps its network
      if (model.weightsWorthKeeping && model.dirty && !this.discardApproved) {
        if (mode === 'auto') return false;
        if (!(await model.confirmDiscard('Training the changed network'))) return false;
      }
      await link.send({ type: 'configure', spec, training });
      this.discardApproved = false;
      return true;
    } catch (err) {
      this.ctx.notices.fail(netSame ? 'Could not apply the training settings' : 'Could not build the network', err);
      return false;
    }
  }

  /** Train: start a run (or resume a paused one). */
  async train(): Promise<void> {
    if (this.runState === 'paused') return this.resume();
    if (this.runState === 'running' || this.trainBlocker) return;
    if (!(await this.sync('train'))) return;
    const history = this.ctx.history;
    try {
      history.runEndEpoch = history.epoch + this.ctx.draft.training.epochs;
      await this.ctx.link.send({ type: 'start' });
    } catch (e) {
      history.runEndEpoch = null;
      this.ctx.notices.fail('Could not start training', e);
    }
  }

  async pause(): Promise<void> {
    if (this.runState !== 'running') return;
    await this.command('pause', 'Could not pause');
  }

  async resume(): Promise<void> {
    if (this.runState !== 'paused') return;
    if (!(await this.sync('train'))) return;
    await this.command('resume', 'Could not resume');
  }

  /** Space: the one key that starts, pauses and resumes. */
  async toggleRun(): Promise<void> {
    if (this.runState === 'running') return this.pause();
    return this.train();
  }

  async step(count = 1): Promise<void> {
    if (this.runState === 'running' || (this.runState === 'idle' && this.trainBlocker)) return;
    if (!(await this.sync('train'))) return;
    try {
      await this.ctx.link.send({ type: 'step', count });
    } catch (e) {
      this.ctx.notices.fail('Could not take a step', e);
    }
  }

  async stop(): Promise<void> {
    if (this.runState === 'idle') return;
    await this.command('stop', 'Could not stop');
  }

  /** Fresh weights for the draft as it is (New model: the question was asked already). */
  async rebuild(): Promise<boolean> {
    const { draft, data, link, notices } = this.ctx;
    this.cancelPendingSync();
    if (this.ctx.status.health !== 'ready' || !data.loaded || draft.analysis.problem) return false;
    try {
      await link.send({ type: 'configure', ...draft.snapshot() });
      return true;
    } catch (e) {
      notices.fail('Could not build the network', e);
      return false;
    }
  }

  /** New weights from the seed, history cleared (the network and settings as edited). */
  async resetWeights(): Promise<void> {
    const { status, history, model, notices, link, draft, data } = this.ctx;
    if (status.health !== 'ready') return;
    // Weights a run blew up (NaN) are not worth a question: they cannot even be saved.
    if (history.lastDone?.reason !== 'diverged' && !(await model.confirmDiscard('Resetting the weights'))) return;
    if (this.runState !== 'idle') await this.stop();
    if (this.networkChanged || this.trainingChanged || !model.engineNet) {
      // configure builds fresh weights from the edited seed and settings.
      if (draft.analysis.problem || !data.loaded) {
        notices.notify('error', 'Cannot reset the weights', this.trainBlocker ?? 'The network does not fit the data.');
        return;
      }
      try {
        await link.send({ type: 'configure', ...draft.snapshot() });
      } catch (e) {
        notices.fail('Could not reset the weights', e);
      }
      return;
    }
    try {
      await link.send({ type: 'resetWeights' });
      history.reset();
      model.onWeightsReset();
    } catch (e) {
      notices.fail('Could not reset the weights', e);
    }
  }

  async evaluate(): Promise<void> {
    const history = this.ctx.history;
    try {
      const at = history.iteration;
      history.evaluation = (await this.ctx.link.send({ type: 'evaluate' })) ?? null;
      history.evaluatedAt = at;
    } catch (e) {
      this.ctx.notices.fail('Could not evaluate', e);
    }
  }

  /** The gradient check on the current network; the failure is returned (the tab shows it in place). */
  async runGradcheck(samples = 3): Promise<GradcheckOutcome> {
    if (!(await this.sync('train')) && !this.ctx.model.engineNet) {
      return { ok: false, message: this.trainBlocker ?? 'Build a valid network first.' };
    }
    const status = this.ctx.status;
    status.busy = 'Checking gradients…';
    try {
      const r = await this.ctx.link.send({ type: 'gradcheck', samples });
      if (!r) return { ok: false, message: 'The engine sent no result.' };
      this.ctx.history.gradcheck = r;
      return { ok: true, result: r };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    } finally {
      status.busy = null;
    }
  }

  async inspect(layer: string | number): Promise<EventOf<'inspectResult'> | null> {
    try {
      return (await this.ctx.link.send({ type: 'inspect', layer })) ?? null;
    } catch (e) {
      this.ctx.notices.fail('Could not inspect the layer', e);
      return null;
    }
  }

  /** A run ended: say how, in a notice (a stop the user asked for needs none). */
  onDone(ev: EventOf<'done'>): void {
    const { history, notices, draft } = this.ctx;
    history.lastDone = ev;
    history.runEndEpoch = null;
    this.runState = 'idle';
    if (ev.reason === 'diverged') {
      const lower = Number((draft.training.learningRate / 10).toPrecision(3));
      notices.notify('error', 'Training diverged', sentence(ev.message), {
        label: `Reset with learning rate ${lower}`,
        run: () => {
          draft.setTraining({ learningRate: lower });
          void this.resetWeights();
        },
      });
    } else if (ev.reason === 'finished') {
      const last = history.epochs[history.epochs.length - 1];
      const acc = last ? (last.testAccuracy ?? last.trainAccuracy) : null;
      const which = last?.testAccuracy !== null && last?.testAccuracy !== undefined ? 'test' : 'train';
      notices.notify('success', 'Training finished', `${ev.epoch} epochs${acc !== null ? `, ${which} accuracy ${formatPercent(acc)}` : ''}.`);
    } else if (ev.stoppedBy !== 'user' && ev.message) {
      notices.notify('info', 'Training stopped', sentence(ev.message));
    }
  }

  private async command(type: 'pause' | 'resume' | 'stop', failure: string): Promise<void> {
    try {
      await this.ctx.link.send({ type });
    } catch (e) {
      this.ctx.notices.fail(failure, e);
    }
  }
}
