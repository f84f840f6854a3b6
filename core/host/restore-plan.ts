/**
 * What main keeps so that a crashed engine comes back with everything the user
 * set up: the last network (configure or importModel), the last data (loadData or
 * loadBuiltin), and the last weights (the checkpoint taken at an epoch end, or a
 * resetWeights). Pure: no electron, shared by main and the engine process (which
 * uses STATE_COMMAND_TYPES to pick what to report).
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
export const STATE_COMMAND_TYPES = ['configure', 'importModel', 'loadData', 'loadBuiltin', 'resetWeights'] as const;
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

type Slot = 'network' | 'data' | 'weights';

const SLOT: Record<StateCommandType | 'restoreCheckpoint', Slot> = {
  configure: 'network',
  importModel: 'network',
  loadData: 'data',
  loadBuiltin: 'data',
  resetWeights: 'weights',
  restoreCheckpoint: 'weights',
};

export class RestorePlan {
  private network: Recorded | null = null;
  private data: Recorded | null = null;
  private weights: Recorded | null = null;
  private checkpointEpoch: number | null = null;
  /** The checkpoint was taken inside a run that had epochs left. */
  private checkpointMidRun = false;
  private seq = 0;

  /** A state command the engine acknowledged. */
  record(command: StateCommand): void {
    if (!isStateCommandType(command.type)) return;
    const { id: _id, ...body } = command;
    const entry = { command: body, seq: ++this.seq };
    switch (SLOT[command.type]) {
      case 'network':
        this.network = entry;
        // New network, new weights: an older checkpoint no longer fits it.
        this.weights = null;
        this.forgetCheckpoint();
        return;
      case 'data':
        this.data = entry;
        return;
      case 'weights':
        this.weights = entry;
        this.forgetCheckpoint();
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
    this.weights = { command, seq: ++this.seq };
    this.checkpointEpoch = epoch;
    this.checkpointMidRun = endEpoch !== null && endEpoch > epoch;
  }

  get isEmpty(): boolean {
    return !this.network && !this.data && !this.weights;
  }

  /**
   * The commands that rebuild the state, in order: network and data in the order
   * the user set them, then the weights (which need the network).
   */
  commands(): CommandBody[] {
    const steps = [this.network, this.data].filter((r): r is Recorded => r !== null).sort((a, b) => a.seq - b.seq);
    if (this.weights && this.network) steps.push(this.weights);
    return steps.map((r) => r.command);
  }

  /** What the commands restore, for the message to the user. */
  summary(problems: string[] = []): RestoredState {
    const checkpoint = this.network !== null && this.weights !== null && this.checkpointEpoch !== null;
    return {
      network: this.network !== null,
      data: this.data ? dataName(this.data.command) : null,
      checkpointEpoch: checkpoint ? this.checkpointEpoch : null,
      runPaused: checkpoint && this.checkpointMidRun,
      problems,
    };
  }

  clear(): void {
    this.network = this.data = this.weights = null;
    this.forgetCheckpoint();
  }

  private forgetCheckpoint(): void {
    this.checkpointEpoch = null;
    this.checkpointMidRun = false;
  }
}

function dataName(command: CommandBody): string {
  if (typeof command.name === 'string') return command.name;
  const dataset = command.dataset as { kind?: unknown } | undefined;
  return typeof dataset?.kind === 'string' ? `built-in ${dataset.kind}` : 'data';
}
