import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../renderer/src/lib/engine-client.js';
import { DataState, DEFAULT_SYNTHETIC, labelProblem, plural, type DataLoaded } from '../../../renderer/src/lib/state/data.svelte.js';
import { EngineStatus } from '../../../renderer/src/lib/state/engine-status.svelte.js';
import { Notices } from '../../../renderer/src/lib/state/notices.svelte.js';
import { dataLoaded, FakeEngine, FakePlatform } from './fakes.js';

const csv = (name: string, text = 'a,b\n1,2\n') => ({ name, bytes: new TextEncoder().encode(text) });

function setup() {
  const engine = new FakeEngine();
  const notices = new Notices();
  const status = new EngineStatus();
  const platform = new FakePlatform();
  const arrived: DataLoaded[] = [];
  const data = new DataState({
    link: engine,
    status,
    notices,
    platform,
    mnist: async () => ({ images: new Uint8Array(784), labels: new Uint8Array(1), count: 1 }),
    loaded: (ev) => arrived.push(ev),
  });
  // Like the engine: the result event reaches the session before the command's answer.
  const answerWith = (ev: DataLoaded) => () => {
    data.onLoaded(ev);
    return ev;
  };
  return { engine, notices, status, platform, data, arrived, answerWith };
}

describe('DataState', () => {
  it('loads a built-in set with its settings and hands the result on', async () => {
    const { engine, data, arrived, answerWith, status } = setup();
    engine.answer('loadBuiltin', answerWith(dataLoaded({ name: 'Spiral' })));
    const loading = data.loadSynthetic({ ...DEFAULT_SYNTHETIC, count: 300 });
    expect(status.busy).toBe('Generating Spiral…');
    await loading;
    expect(status.busy).toBeNull();
    expect(engine.sent[0]).toMatchObject({
      type: 'loadBuiltin',
      dataset: { kind: 'spiral', count: 300, classes: 3 },
      options: { standardize: true, testSplit: 0.2, splitSeed: 1 },
    });
    expect(data.source).toMatchObject({ kind: 'synthetic' });
    expect(arrived.map((e) => e.name)).toEqual(['Spiral']);
    expect(data.shape).toEqual({ features: 2, classes: 3, imageShape: undefined });
  });

  it("takes a text column as the label when the engine says a first-row cell is not a number (by code, not wording)", async () => {
    const { engine, data, notices, answerWith } = setup();
    engine.answer('loadData', (body) => {
      const options = (body as unknown as { options: { labelColumn?: number } }).options;
      if (options.labelColumn === undefined) throw new EngineError('NOT_A_NUMBER', 'whatever the words', 'loadData', { file: 'flowers.csv', line: 2, column: 5 });
      return answerWith(dataLoaded({ name: 'flowers.csv', preview: { kind: 'table', header: ['a', 'b', 'c', 'd', 'species'], rows: [], labelColumn: 4 } }))();
    });
    await data.openFiles([csv('flowers.csv')]);
    expect(engine.sent.map((b) => (b as unknown as { options: { labelColumn?: number } }).options.labelColumn)).toEqual([undefined, 4]);
    expect(data.settings.labelColumn).toBe(4);
    expect(notices.list.map((n) => n.title)).toEqual(['Label column: species']);
  });

  it('does not guess a label for a bad cell further down, and keeps the data and settings in use', async () => {
    const { engine, data, notices, answerWith } = setup();
    engine.answer('loadBuiltin', answerWith(dataLoaded({ name: 'Spiral' })));
    await data.loadSynthetic({ ...DEFAULT_SYNTHETIC });
    engine.answer('loadData', () => {
      throw new EngineError('NOT_A_NUMBER', 'bad.csv:40:2: column "b": "oops" is not a number', 'loadData', { file: 'bad.csv', line: 40, column: 2 });
    });
    await data.openFiles([csv('bad.csv')]);
    expect(engine.types).toEqual(['loadBuiltin', 'loadData']);
    expect(data.loaded?.name).toBe('Spiral');
    expect(data.source?.kind).toBe('synthetic');
    expect(data.settings.standardize).toBe(true);
    expect(notices.list.at(-1)).toMatchObject({ level: 'error', title: 'Could not load bad.csv', message: 'bad.csv:40:2: column "b": "oops" is not a number' });
  });

  it("shows the engine's warnings about the data", async () => {
    const { engine, data, notices, answerWith } = setup();
    engine.answer('loadData', answerWith(dataLoaded({ name: 'iris.csv', warnings: ['column "x" is constant'] })));
    await data.openFiles([csv('iris.csv')]);
    expect(notices.list.map((n) => [n.level, n.title, n.message])).toEqual([['warning', 'iris.csv', 'column "x" is constant']]);
  });

  it('holds an IDX images file until its labels file comes, then loads the pair', async () => {
    const { engine, data, notices, answerWith } = setup();
    const images = { name: 'train-images-idx3-ubyte', bytes: new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7]) };
    const labels = { name: 'train-labels-idx1-ubyte', bytes: new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 3]) };
    await data.openFiles([images]);
    expect(data.pendingImages?.name).toBe('train-images-idx3-ubyte');
    expect(notices.list[0]).toMatchObject({ level: 'warning', title: 'Labels needed' });
    engine.answer('loadData', answerWith(dataLoaded({ name: 'train-images-idx3-ubyte', features: 1 })));
    await data.openFiles([labels]);
    expect(engine.sent[0]).toMatchObject({ type: 'loadData', name: 'train-images-idx3-ubyte', labels: { name: 'train-labels-idx1-ubyte' } });
    expect(data.pendingImages).toBeNull();
  });

  it('says when the label column looks continuous, instead of a warning per class', async () => {
    const { engine, data, notices, answerWith } = setup();
    const classNames = Array.from({ length: 95 }, (_, i) => (0.1 * i + 3).toFixed(1));
    const warnings = classNames.map((c) => `class '${c}' has no test samples`);
    const preview = { kind: 'table' as const, header: ['length', 'rings'], rows: [], labelColumn: 1 };
    engine.answer('loadData', answerWith(dataLoaded({ name: 'abalone.csv', classNames, warnings, preview })));
    await data.openFiles([csv('abalone.csv')]);
    expect(notices.list.map((n) => [n.level, n.title, n.message])).toEqual([
      ['warning', 'The label column looks continuous', '"rings" has 95 distinct numeric values: a measurement, not classes. Choose a column of classes as the label.'],
    ]);
  });

  it('names a label column with one class, and a split that leaves no test rows, in the user\'s words', async () => {
    expect(labelProblem(dataLoaded({ classNames: ['yes'] }))?.title).toBe('The label column has only one class');
    expect(labelProblem(dataLoaded({ classNames: ['1', '2', '3'] }))).toBeNull();
    expect(plural(1, 'class', 'classes')).toBe('1 class');
    const { engine, data, notices } = setup();
    engine.answer('loadData', () => {
      throw new EngineError('BAD_USAGE', 'field split: holding out 0.2 of 2 samples leaves no test samples', 'loadData', { field: 'split' });
    });
    await data.openFiles([csv('tiny.csv')]);
    expect(notices.list.at(-1)).toMatchObject({
      level: 'error',
      title: 'Could not load tiny.csv',
      message: 'Too few rows for a 20% test split. Set the test split lower (0% trains on every row) or use a file with more rows.',
    });
  });

  it('undoes a setting the data cannot take', async () => {
    const { engine, data, answerWith } = setup();
    engine.answer('loadBuiltin', answerWith(dataLoaded()));
    await data.loadSynthetic({ ...DEFAULT_SYNTHETIC });
    engine.answer('loadBuiltin', () => {
      throw new EngineError('BAD_DATA', 'holding out 0.9 of 10 samples leaves too few', 'loadBuiltin', { field: 'split' });
    });
    await data.setSettings({ testSplit: 0.9 });
    expect(data.settings.testSplit).toBe(0.2);
  });
});
