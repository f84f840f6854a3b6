import type { CommandType, EngineEvent, EventOf } from '../../../core/protocol/messages.js';
import type { CommandBody } from '../../../renderer/src/lib/engine-client.js';
import type { EngineLink } from '../../../renderer/src/lib/engine-link.js';
import type { MenuCommand, OpenedFile, Platform, SaveRequest } from '../../../renderer/src/lib/platform.js';

/**
 * Stand-ins for the engine and the platform, for the renderer's state classes
 * under Node: the fake engine records every command and answers with what the
 * test scripted; the fake platform records what the app asked of the window.
 */

type Body = CommandBody<CommandType> & { type: CommandType };
type Answer = (body: Body) => unknown;

export class FakeEngine {
  readonly sent: Body[] = [];
  private readonly answers = new Map<CommandType, Answer>();
  private readonly listeners = new Set<(ev: EngineEvent) => void>();

  /** How the engine answers a command type: the result event, or a throw (an EngineError). */
  answer(type: CommandType, answer: Answer): this {
    this.answers.set(type, answer);
    return this;
  }

  /** The link's send: records the command, then answers like the engine (result event, or rejection). */
  readonly send = (async (body: Body) => {
    this.sent.push(body);
    const answer = this.answers.get(body.type);
    return answer ? answer(body) : undefined;
  }) as unknown as EngineLink['send'];

  /** Types of the commands sent, in order. */
  get types(): CommandType[] {
    return this.sent.map((b) => b.type);
  }

  subscribe(listener: (ev: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(ev: EngineEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

/** A dataLoaded event as the engine describes a small table or 2-D set. */
export function dataLoaded(patch: Partial<EventOf<'dataLoaded'>> = {}): EventOf<'dataLoaded'> {
  return {
    type: 'dataLoaded',
    name: 'points.csv',
    trainCount: 80,
    testCount: 20,
    features: 2,
    classNames: ['a', 'b', 'c'],
    trainClassCounts: [30, 25, 25],
    testClassCounts: [7, 7, 6],
    standardized: true,
    preview: { kind: 'table', header: ['x', 'y', 'label'], rows: [['1', '2', 'a']], labelColumn: 2 },
    warnings: [],
    ...patch,
  } as EventOf<'dataLoaded'>;
}

export class FakePlatform implements Platform {
  readonly kind: 'electron' | 'browser';
  readonly modifierKey = 'Ctrl';
  readonly menuOwnsFileShortcuts = false;
  readonly documents: { title: string; unsaved: boolean }[] = [];
  readonly saves: SaveRequest[] = [];
  /** What the next open dialog returns. */
  nextModel: OpenedFile | null = null;
  nextData: { files: OpenedFile[] } | null = null;
  confirmDiscard: ((detail: string) => Promise<boolean>) | null = null;
  private menu: ((cmd: MenuCommand) => void) | null = null;

  constructor(kind: 'electron' | 'browser' = 'browser') {
    this.kind = kind;
  }
  startEngine(_link: EngineLink): void {}
  restartEngine(): void {}
  async openData() {
    return this.nextData;
  }
  async openModel() {
    return this.nextModel;
  }
  async saveModel(req: SaveRequest) {
    this.saves.push(req);
    return { name: req.suggestedName };
  }
  download(): void {}
  setDocumentState(title: string, unsaved: boolean): void {
    this.documents.push({ title, unsaved });
  }
  onMenu(cb: (cmd: MenuCommand) => void): () => void {
    this.menu = cb;
    return () => (this.menu = null);
  }
  /** The desktop menu sends a command. */
  menuCommand(cmd: MenuCommand): void {
    this.menu?.(cmd);
  }
}

/** Let queued promise callbacks run (the state classes await the engine). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
