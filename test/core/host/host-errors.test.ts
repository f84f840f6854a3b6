import { describe, expect, it } from 'vitest';
import { harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';

/** Every bad message gets an error event with a clear one-line message; the engine keeps working. */

const harness = harnessPerTest();

describe('host: invalid messages and commands that cannot run', () => {
  it('answers malformed messages with BAD_MESSAGE errors, echoing a usable id', async () => {
    const h = harness();
    await h.next('ready');
    const sevenErrors = h.waitFor(() => h.of('error').length >= 7);
    h.post(42);
    h.post(null);
    h.post({ id: 5 });
    h.post({ type: 'launchMissiles', id: 6 });
    h.post({ type: 'step' }); // no id
    h.post({ type: 'step', id: 8, count: -1 });
    h.post({ type: 'loadData', id: 'x', name: 'a.csv', bytes: [1, 2, 3] }); // bytes as a JSON array
    await sevenErrors;
    const got = h.of('error');
    expect(got.map((e) => [e.id, e.code])).toEqual([
      [undefined, 'BAD_MESSAGE'],
      [undefined, 'BAD_MESSAGE'],
      [5, 'BAD_MESSAGE'],
      [6, 'BAD_MESSAGE'],
      [undefined, 'BAD_MESSAGE'],
      [8, 'BAD_MESSAGE'],
      ['x', 'BAD_MESSAGE'],
    ]);
    expect(got[3]!.message).toMatch(/unknown command type 'launchMissiles' \(expected one of configure, setTraining, loadData/);
    expect(got[5]!.message).toMatch(/command 'step': field count/);
    expect(got[6]!.message).toMatch(/field bytes: expected an ArrayBuffer or Uint8Array/);
    for (const e of got) expect(e.message).not.toMatch(/\n/);
    // Still alive and well.
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
  });

  it('refuses a bad spec naming the field, and extra fields (strict schemas)', async () => {
    const h = harness();
    await h.next('ready');
    let r = await h.request({ type: 'configure', spec: { ...SPEC, layers: [{ kind: 'affine', units: 0 }] }, training: TRAINING });
    expect(r.error).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringMatching(/field spec\.layers\[0\]\.units/) });
    r = await h.request({ type: 'configure', spec: SPEC, training: { ...TRAINING, learningRate: -1 } });
    expect(r.error?.message).toMatch(/field training\.learningRate/);
    r = await h.request({ type: 'start', extra: true });
    expect(r.error?.code).toBe('BAD_MESSAGE');
    // A spec that parses but cannot work (no affine layer) is BAD_SPEC from the network builder.
    r = await h.request({ type: 'configure', spec: { inputSize: 4, layers: [{ kind: 'relu' }] }, training: TRAINING });
    expect(r.error).toMatchObject({ code: 'BAD_SPEC', message: expect.stringMatching(/at least one affine layer/) });
  });

  it('says what is missing when a command comes too early', async () => {
    const h = harness();
    await h.next('ready');
    for (const type of ['start', 'step', 'inspect', 'gradcheck', 'exportModel', 'evaluate', 'samples']) {
      const r = await h.request(type === 'inspect' ? { type, layer: 0 } : { type });
      expect(r.error, type).toMatchObject({ code: 'NOT_READY', message: expect.stringMatching(/no network configured/) });
    }
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    const r = await h.request({ type: 'start' });
    expect(r.error).toMatchObject({ code: 'NOT_READY', message: 'cannot start: no data loaded yet' });
    for (const type of ['pause', 'resume', 'stop']) {
      expect((await h.request({ type })).error?.code, type).toBe('NOT_READY');
    }
  });

  it('reports data that does not fit the network, and bad layers to inspect', async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: { ...SPEC, inputSize: 5 }, training: TRAINING });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(30)), options: {} });
    let r = await h.request({ type: 'start' });
    expect(r.error).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/4 features per sample, the network expects 5/) });
    r = await h.request({ type: 'inspect', layer: 'relu1' });
    expect(r.error?.message).toMatch(/relu1 \(relu\) has no weights; pick one of fc1, fc2/);
    r = await h.request({ type: 'inspect', layer: 'fc9' });
    expect(r.error?.message).toMatch(/no layer named 'fc9'/);
    r = await h.request({ type: 'inspect', layer: 2 });
    expect(r.error?.message).toMatch(/index 2 is out of range/);
    r = await h.request({ type: 'predictGrid', bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 }, cols: 4, rows: 4 });
    expect(r.error).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/2 inputs/) });
  });

  it('reports broken files with the place, and keeps the data it had', async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: SPEC, training: TRAINING });
    await h.ok({ type: 'loadData', name: 'good.csv', bytes: csvBytes(makeCsv(30)), options: {} });
    const bad = 'f1,f2,f3,f4,kind\n1,2,3,4,a\n1,2,oops,4,b\n';
    let r = await h.request({ type: 'loadData', name: 'bad.csv', bytes: csvBytes(bad), options: {} });
    // A word in a number column has its own code, and the place travels as a structured value too.
    expect(r.error).toMatchObject({
      code: 'NOT_A_NUMBER',
      message: expect.stringMatching(/^bad\.csv:3:3: /),
      where: { file: 'bad.csv', line: 3, column: 3 },
    });
    r = await h.request({ type: 'loadData', name: 'empty.csv', bytes: new ArrayBuffer(0), options: {} });
    expect(r.error?.code).toBe('BAD_DATA');
    r = await h.request({ type: 'importModel', name: 'junk.safetensors', bytes: csvBytes('not a model at all') });
    expect(r.error).toMatchObject({ code: 'BAD_MODEL', message: expect.stringMatching(/^junk\.safetensors: /) });
    r = await h.request({ type: 'restoreCheckpoint', bytes: new Uint8Array([1, 2, 3]) });
    expect(r.error).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringMatching(/checkpoint: 3 bytes is too short/) });
    // The good data is still loaded: training works.
    await h.ok({ type: 'step', count: 2 });
  });

  it('refuses start while running and resume while running', async () => {
    const h = harness({ sliceMs: 0, progressIntervalMs: 0 });
    await h.next('ready');
    await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: 200 } });
    await h.ok({ type: 'loadData', name: 'toy.csv', bytes: csvBytes(makeCsv(240)), options: {} });
    await h.ok({ type: 'start' });
    expect((await h.request({ type: 'start' })).error?.message).toBe('cannot start: training is already running');
    expect((await h.request({ type: 'resume' })).error?.message).toBe('cannot resume: training is already running');
    expect((await h.request({ type: 'step' })).error?.message).toBe('cannot step while training runs; pause first');
    await h.ok({ type: 'pause' });
    expect((await h.request({ type: 'pause' })).error?.message).toBe('cannot pause: training is already paused');
    expect((await h.request({ type: 'start' })).error?.message).toMatch(/a run is paused; resume or stop it first/);
    await h.ok({ type: 'stop' });
  });
});
