import { describe, expect, it } from 'vitest';
import { harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv, type Harness } from './harness.js';
import type { EventOf } from '../../../core/protocol/messages.js';
import { decodeModel } from '../../../core/model/model-file.js';

/**
 * Data loaded with a model open is read the model's way: its classes at its outputs
 * and its columns in its order, whichever order or subset a file brings. Each test
 * compares the studio's figures with the file probe's (probes.ts lines a file up by
 * name) on the trained engine: taken by position, the same rows would score the
 * model's "alpha" output for "beta" samples.
 */

const harness = harnessPerTest();
const CSV = makeCsv(240);
const [HEADER, ...ROWS] = CSV.trim().split('\n');

/** The rows of the named classes only. */
function only(...classes: string[]): string {
  return [HEADER, ...ROWS.filter((r) => classes.includes(r.split(',').at(-1)!))].join('\n') + '\n';
}

/** The same file with its feature columns in the order `order` (indices into f1..f4), the label last. */
function reordered(order: number[]): string {
  return [HEADER, ...ROWS].map((line) => {
    const cells = line.split(',');
    return [...order.map((j) => cells[j]!), cells[4]!].join(',');
  }).join('\n') + '\n';
}

/** A trained, standardized 3-class model and the engine that trained it. */
async function trainedModel(): Promise<{ trainer: Harness; bytes: ArrayBuffer }> {
  const trainer = harness();
  await trainer.next('ready');
  await trainer.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: 15 } });
  await trainer.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(CSV), options: { standardize: true } });
  const done = trainer.next('done');
  await trainer.ok({ type: 'start' });
  await done;
  const [exported] = (await trainer.ok({ type: 'exportModel' })) as EventOf<'modelExported'>[];
  return { trainer, bytes: exported!.bytes as ArrayBuffer };
}

/** What the trained engine's file probe says of `text`: it lines the file up by name. */
async function probeAccuracy(trainer: Harness, text: string): Promise<number> {
  const [ev] = (await trainer.ok({ type: 'evaluateFile', name: 'probe.csv', bytes: csvBytes(text) })) as EventOf<'fileEvaluation'>[];
  return ev!.accuracy;
}

async function openModel(h: Harness, bytes: ArrayBuffer): Promise<string[]> {
  const results = await h.ok({ type: 'importModel', name: 'toy.safetensors', bytes: bytes.slice(0) });
  return results.map((e) => e.type);
}

async function trainAccuracy(h: Harness): Promise<number> {
  const [ev] = (await h.ok({ type: 'evaluate' })) as EventOf<'evaluation'>[];
  return ev!.trainAccuracy;
}

describe('host: data lined up with an opened model', () => {
  it('a file with two of the model\'s three classes: labels at the model\'s outputs, all three classes shown', async () => {
    const { trainer, bytes } = await trainedModel();
    const subset = only('beta', 'gamma');
    const expected = await probeAccuracy(trainer, subset);
    expect(expected).toBeGreaterThan(0.8);

    const h = harness();
    await h.next('ready');
    await openModel(h, bytes);
    const [loaded] = (await h.ok({ type: 'loadData', name: 'two.csv', bytes: csvBytes(subset), options: {} })) as EventOf<'dataLoaded'>[];
    expect(loaded!.classNames).toEqual(['alpha', 'beta', 'gamma']);
    expect(loaded!.trainClassCounts).toEqual([0, 80, 80]);
    expect(loaded!.warnings.join(' ')).toMatch(/lined up with the opened model's 3 \(alpha, beta, gamma\); this data has 2 of them/);
    expect(await trainAccuracy(h)).toBeCloseTo(expected, 6);

    // Saved again, the model keeps its own classes (not the file's two and a made-up "2").
    const [exported] = (await h.ok({ type: 'exportModel' })) as EventOf<'modelExported'>[];
    expect(decodeModel(new Uint8Array(exported!.bytes as ArrayBuffer), 'again.safetensors').classNames).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('data loaded first is lined up when the model opens, and goes back to its own classes when the network is rebuilt', async () => {
    const { trainer, bytes } = await trainedModel();
    const subset = only('gamma', 'alpha');
    const expected = await probeAccuracy(trainer, subset);

    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: { ...SPEC, layers: [{ kind: 'affine', units: 2 }] }, training: TRAINING });
    const [own] = (await h.ok({ type: 'loadData', name: 'two.csv', bytes: csvBytes(subset), options: {} })) as EventOf<'dataLoaded'>[];
    expect(own!.classNames).toEqual(['alpha', 'gamma']);

    const results = await h.ok({ type: 'importModel', name: 'toy.safetensors', bytes: bytes.slice(0) });
    // The page learns the data's new classes before the reply it acts on.
    expect(results.map((e) => e.type)).toEqual(['configured', 'dataLoaded', 'modelImported']);
    const lined = results[1] as EventOf<'dataLoaded'>;
    expect(lined.classNames).toEqual(['alpha', 'beta', 'gamma']);
    expect(lined.trainClassCounts).toEqual([80, 0, 80]);
    expect(lined.standardized).toBe(true);
    expect(await trainAccuracy(h)).toBeCloseTo(expected, 6);

    // A wider hidden layer still sorts the model's three classes: they stay, only the model's statistics go
    // (fresh weights learn from the data, which asks for none here).
    const wider = { ...SPEC, layers: [{ kind: 'affine', units: 32 }, { kind: 'relu' }, { kind: 'affine', units: 3 }] };
    const rebuilt = await h.ok({ type: 'configure', spec: wider, training: TRAINING });
    expect(rebuilt.map((e) => e.type)).toEqual(['configured', 'dataLoaded']);
    expect(rebuilt[1]).toMatchObject({ classNames: ['alpha', 'beta', 'gamma'], standardized: false });
    expect((await h.ok({ type: 'configure', spec: SPEC, training: TRAINING })).map((e) => e.type)).toEqual(['configured']); // nothing new to show

    // A network with two outputs is the user's own problem: the file's two classes again.
    const after = await h.ok({ type: 'configure', spec: { ...SPEC, layers: [{ kind: 'affine', units: 2 }] }, training: TRAINING });
    expect(after.map((e) => e.type)).toEqual(['configured', 'dataLoaded']);
    const back = after[1] as EventOf<'dataLoaded'>;
    expect(back.classNames).toEqual(['alpha', 'gamma']);
    expect(back.trainClassCounts).toEqual([80, 80]);
    // And three outputs again do not bring the model back: it is gone.
    expect((await h.ok({ type: 'configure', spec: SPEC, training: TRAINING })).map((e) => e.type)).toEqual(['configured']);
  });

  it('columns in another order are read by name (the studio saves their names with the model)', async () => {
    const { trainer, bytes } = await trainedModel();
    expect(decodeModel(new Uint8Array(bytes), 'toy.safetensors').featureNames).toEqual(['f1', 'f2', 'f3', 'f4']);
    const shuffled = reordered([2, 0, 3, 1]);
    const expected = await probeAccuracy(trainer, CSV);
    expect(await probeAccuracy(trainer, shuffled)).toBeCloseTo(expected, 6);

    const h = harness();
    await h.next('ready');
    await openModel(h, bytes);
    const [loaded] = (await h.ok({ type: 'loadData', name: 'shuffled.csv', bytes: csvBytes(shuffled), options: {} })) as EventOf<'dataLoaded'>[];
    expect(loaded!.warnings.join(' ')).toMatch(/another order than in the opened model; they were matched by name/);
    expect(await trainAccuracy(h)).toBeCloseTo(expected, 6);
    // Files probed on this engine are lined up with the model's order, not the loaded file's.
    const [probe] = (await h.ok({ type: 'evaluateFile', name: 'probe.csv', bytes: csvBytes(CSV) })) as EventOf<'fileEvaluation'>[];
    expect(probe!.accuracy).toBeCloseTo(expected, 6);
  });

  it('a class the model does not know: the labels stay by position and the note says the classes differ', async () => {
    const { bytes } = await trainedModel();
    const renamed = CSV.replace(/,gamma$/gm, ',delta');
    const h = harness();
    await h.next('ready');
    await openModel(h, bytes);
    const [loaded] = (await h.ok({ type: 'loadData', name: 'renamed.csv', bytes: csvBytes(renamed), options: {} })) as EventOf<'dataLoaded'>[];
    expect(loaded!.classNames).toEqual(['alpha', 'beta', 'delta']);
    expect(loaded!.warnings.join(' ')).toMatch(/the opened model's classes \(alpha, beta, gamma\) differ from this data's \(alpha, beta, delta\); the labels are taken by position/);
  });
});
