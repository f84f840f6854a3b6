import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../core/errors.js';
import { errorCodeSchema, type EventOf } from '../../../core/protocol/messages.js';
import { harnessPerTest, SPEC, TRAINING, csvBytes, makeCsv } from './harness.js';

/**
 * Clients decide on codes, never on message text: an error carries a stable code
 * and where the bad input is; a run's end says who stopped it.
 */

const harness = harnessPerTest();

describe('host: errors and run ends as codes', () => {
  it('has one list of error codes, shared by core/errors.ts and the protocol', () => {
    expect(errorCodeSchema.options).toEqual([...ERROR_CODES]);
  });

  it('sends where a bad cell is (file, line, column) with the NOT_A_NUMBER code', async () => {
    const h = harness();
    await h.next('ready');
    const text = 'species,a,b\nsetosa,1,2\nvirginica,3,4\n';
    const r = await h.request({ type: 'loadData', name: 'flowers.csv', bytes: csvBytes(text) });
    expect(r.error?.code).toBe('NOT_A_NUMBER');
    expect(r.error?.where).toEqual({ file: 'flowers.csv', line: 2, column: 1 });
  });

  it('sends no place for an error that has none', async () => {
    const h = harness();
    await h.next('ready');
    const r = await h.request({ type: 'start' });
    expect(r.error?.code).toBe('NOT_READY');
    expect(r.error?.where).toBeUndefined();
  });

  it("says a stop was the user's, and that new data interrupted a run", async () => {
    const h = harness();
    await h.next('ready');
    await h.ok({ type: 'configure', spec: SPEC, training: { ...TRAINING, epochs: 500 } });
    await h.ok({ type: 'loadData', name: 'blobs.csv', bytes: csvBytes(makeCsv(600)) });
    await h.ok({ type: 'start' });
    const stopped = h.next('done');
    await h.ok({ type: 'stop' });
    expect(((await stopped) as EventOf<'done'>).stoppedBy).toBe('user');

    await h.ok({ type: 'start' });
    const interrupted = h.next('done');
    await h.ok({ type: 'loadData', name: 'blobs.csv', bytes: csvBytes(makeCsv(300)) });
    const done = await interrupted;
    expect([done.reason, done.stoppedBy]).toEqual(['stopped', 'interrupted']);
  });
});
