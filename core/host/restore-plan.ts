/**
 * What a restarted engine must be given so the user finds everything as it was:
 * the one restore plan of the desktop supervisor (electron/main/engine-supervisor.ts)
 * and of browser mode (renderer/src/lib/engine-link.ts). Pure: no electron, DOM or
 * node import.
 *
 * It records every acknowledged command a checkpoint depends on, and the
 * checkpoints themselves:
 * - the network: the last configure or importModel (a new network drops the
 *   weights and training settings recorded for the old one);
 * - the training settings: the last setTraining since that network (optimizer,
 *   batch size, learning rate: a checkpoint's optimizer state only fits the
 *   optimizer it was taken with);
 * - the data: the last loadData or loadBuiltin;
 * - the weights: the last epoch checkpoint, resetWeights or restoreCheckpoint,
 *   each with the training settings in force when it was taken.
 *
 * The replay is network and data in the order the user set them, then the
 * settings of the weights' time, the weights, and the settings in force now if
 * they changed since (a switch from SGD to Adam after the last checkpoint comes
 * back as it went: the SGD weights, then Adam with fresh state).
 *
 * Only commands the engine acknowledged are recorded, so a corrupt file that was
 * refused never replaces the good data.
 */

/** What a restarted engine got back (shown to the user; contract/studio-api.ts passes it to the renderer). */
export interface RestoredState {
  /** The network (from configure or an imported model) was rebuilt. */
  network: boolean;
  /** Name of the data set loaded again, or null. */
  data: string | null;
  /** Epoch of the checkpoint whose weights were put back, or null (fresh weights). */
  checkpointEpoch: number | null;
  /** The run that was training came back paused at that epoch: Resume finishes it. */
  runPaused: boolean;
  /** Restore steps that failed, one line each (normally empty). */
  problems: string[];
}

/** Commands that change what a restart must rebuild. */
export const STATE_COMMAND_TYPES = [
  'configure',
  'importModel',
  'setTraining',
  'loadData',
  'loadBuiltin',
  'resetWeights',
  'restoreCheckpoint',
] as const;
export type StateCommandType = (typeof STATE_COMMAND_TYPES)[number];

export function isStateCommandType(type: unknown): type is StateCommandType {
  return (STATE_COMMAND_TYPES as readonly unknown[]).includes(type);
}

/** A protocol command without its id (whoever sends it numbers it). */
export interface CommandBody {
  type: string;
  [field: string]: unknown;
}

/** A recorded command: the message as the client sent it (bytes included). */
export interface StateCommand extends CommandBody {
  id: number | string;
}

interface Recorded {
  /** Without its id: a replay numbers it afresh. */
  command: CommandBody;
  /** Order in which network and data were set: replayed in the same order. */
  seq: number;
}

interface Weights {
  command: CommandBody;
  /** The setTraining settings in force when the weights were taken (null: the network's own). */
  training: unknown;
  /** Epoch of an epoch-end checkpoint; null for resetWeights or a client's restoreCheckpoint. */
  epoch: number | null;
  /** The checkpoint was taken inside a run that had epochs left. */
  midRun: boolean;
}

export class RestorePlan {
  private network: Recorded | null = null;
  private data: Recorded | null = null;
  /** Settings of the last setTraining since the network was set; null: the network command's own. */
  private training: unknown = null;
  private weights: Weights | null = null;
  private seq = 0;

  /** A state command the engine acknowledged (other commands are ignored). */
  record(command: CommandBody): void {
    if (!isStateCommandType(command.type)) return;
    const { id: _id, ...body } = command;
    switch (command.type) {
      case 'configure':
      case 'importModel':
        this.network = { command: body, seq: ++this.seq };
        // New network: its own settings, fresh weights; an older checkpoint no longer fits it.
        this.training = null;
        this.weights = null;
        return;
      case 'setTraining':
        // Acknowledged only with a network; a stray one cannot be replayed without it.
        if (this.network) this.training = body.training;
        return;
      case 'loadData':
      case 'loadBuiltin':
        this.data = { command: body, seq: ++this.seq };
        return;
      case 'resetWeights':
      case 'restoreCheckpoint':
        this.weights = { command: body, training: this.training, epoch: null, midRun: false };
        return;
    }
  }

  /**
   * Weights at an epoch end (the engine's `checkpoint` event). With `endEpoch`,
   * the run that was going on comes back paused, so Resume finishes it.
   */
  recordCheckpoint(epoch: number, bytes: ArrayBuffer | Uint8Array, endEpoch: number | null = null): void {
    const command: CommandBody = { type: 'restoreCheckpoint', bytes };
    if (endEpoch !== null) command.endEpoch = endEpoch;
    this.weights = { command, training: this.training, epoch, midRun: endEpoch !== null && endEpoch > epoch };
  }

  get isEmpty(): boolean {
    return !this.network && !this.data && !this.weights;
  }

  /** The commands that rebuild the state, in the order to send them (see the module comment). */
  commands(): CommandBody[] {
    const steps = [this.network, this.data]
      .filter((r): r is Recorded => r !== null)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.command);
    if (!this.network) return steps;
    let inForce: unknown = null;
    if (this.weights) {
      if (this.weights.training !== null) {
        steps.push(setTraining(this.weights.training));
        inForce = this.weights.training;
      }
      steps.push(this.weights.command);
    }
    if (this.training !== null && !sameSettings(this.training, inForce)) steps.push(setTraining(this.training));
    return steps;
  }

  /** What the commands restore, for the message to the user. */
  summary(problems: string[] = []): RestoredState {
    const checkpoint = this.network !== null && this.weights !== null && this.weights.epoch !== null;
    return {
      network: this.network !== null,
      data: this.data ? dataName(this.data.command) : null,
      checkpointEpoch: checkpoint ? this.weights!.epoch : null,
      runPaused: checkpoint && this.weights!.midRun,
      problems,
    };
  }

  clear(): void {
    this.network = this.data = this.weights = null;
    this.training = null;
  }
}

function setTraining(training: unknown): CommandBody {
  return { type: 'setTraining', training };
}

/** Training settings are small plain objects (zod-parsed): equal when their JSON is. */
function sameSettings(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function dataName(command: CommandBody): string {
  if (typeof command.name === 'string') return command.name;
  const dataset = command.dataset as { kind?: unknown } | undefined;
  return typeof dataset?.kind === 'string' ? `built-in ${dataset.kind}` : 'data';
}
