import { describe, expect, it } from 'vitest';
import { fileRole, planDataLoad, type PickedFile } from '../../../renderer/src/lib/data-files.js';
import { stripIdx } from '../../../renderer/src/lib/mnist.js';

const text = (name: string, body = 'a,b,c\n1,2,x\n'): PickedFile => ({ name, bytes: new TextEncoder().encode(body) });
const idx = (name: string, dims: 1 | 3): PickedFile => ({ name, bytes: new Uint8Array([0, 0, 8, dims, 0, 0, 0, 1]) });
const gz = (name: string): PickedFile => ({ name, bytes: new Uint8Array([0x1f, 0x8b, 8, 0]) });

describe('what a picked file is', () => {
  it('tells tables, IDX images, IDX labels and models apart by name and first bytes', () => {
    expect(fileRole(text('iris.csv'))).toBe('table');
    expect(fileRole(text('iris.data', '5.1,3.5,setosa\n'))).toBe('table');
    expect(fileRole(idx('whatever.bin', 3))).toBe('idx-images');
    expect(fileRole(idx('whatever.bin', 1))).toBe('idx-labels');
    expect(fileRole(gz('train-images-idx3-ubyte.gz'))).toBe('idx-images');
    expect(fileRole(gz('train-labels-idx1-ubyte.gz'))).toBe('idx-labels');
    expect(fileRole({ name: 'm.safetensors', bytes: new Uint8Array(16) })).toBe('model');
    expect(fileRole({ name: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) })).toBe('unknown');
  });
});

describe('planning a data load', () => {
  it('pairs IDX images with their labels, and a t10k pair becomes the test set', () => {
    const files = [gz('t10k-labels-idx1-ubyte.gz'), gz('train-images-idx3-ubyte.gz'), gz('t10k-images-idx3-ubyte.gz'), gz('train-labels-idx1-ubyte.gz')];
    const plan = planDataLoad(files);
    expect(plan.ok).toBe(true);
    if (!plan.ok || plan.request.kind !== 'idx') throw new Error('expected an IDX plan');
    expect(plan.request.train.images.name).toBe('train-images-idx3-ubyte.gz');
    expect(plan.request.train.labels.name).toBe('train-labels-idx1-ubyte.gz');
    expect(plan.request.test?.images.name).toBe('t10k-images-idx3-ubyte.gz');
    expect(plan.request.test?.labels.name).toBe('t10k-labels-idx1-ubyte.gz');
  });

  it('asks for the labels file when only images were chosen', () => {
    const plan = planDataLoad([gz('train-images-idx3-ubyte.gz')]);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.message).toMatch(/needs its labels file \(train-labels-idx1-ubyte\.gz\)/);
    expect(plan.needsLabelsFor?.name).toBe('train-images-idx3-ubyte.gz');
  });

  it('takes a table and an optional test table named "test"', () => {
    const plan = planDataLoad([text('wine-test.csv'), text('wine.csv')]);
    expect(plan.ok && plan.request.kind === 'table' && [plan.request.train.name, plan.request.test?.name]).toEqual(['wine.csv', 'wine-test.csv']);
    expect(planDataLoad([text('a.csv'), text('b.csv')]).ok).toBe(false);
  });

  it('refuses a mix it cannot read, with the file named', () => {
    const plan = planDataLoad([{ name: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8]) }]);
    expect(plan).toEqual({ ok: false, message: expect.stringContaining('photo.jpg: not a data file') });
    expect(planDataLoad([text('a.csv'), gz('train-images-idx3-ubyte.gz')]).ok).toBe(false);
    expect(planDataLoad([]).ok).toBe(false);
  });
});

describe('the built-in MNIST asset', () => {
  function header(magic: number, dims: number[]): number[] {
    const out = [0, 0, (magic >> 8) & 0xff, magic & 0xff];
    for (const d of dims) out.push((d >>> 24) & 0xff, (d >>> 16) & 0xff, (d >>> 8) & 0xff, d & 0xff);
    return out;
  }

  it('strips the IDX headers of well-formed files and returns the payloads', () => {
    const images = new Uint8Array([...header(0x803, [2, 28, 28]), ...new Array(2 * 784).fill(7)]);
    const labels = new Uint8Array([...header(0x801, [2]), 3, 9]);
    const m = stripIdx(images, labels);
    expect(m.count).toBe(2);
    expect(m.images.length).toBe(2 * 784);
    expect([...m.labels]).toEqual([3, 9]);
  });

  it('rejects files whose sizes or counts do not match their headers', () => {
    const labels = new Uint8Array([...header(0x801, [2]), 3, 9]);
    expect(() => stripIdx(new Uint8Array([...header(0x803, [2, 28, 28]), 1, 2, 3]), labels)).toThrow(/sizes do not match/);
    expect(() => stripIdx(new Uint8Array([...header(0x803, [3, 28, 28]), ...new Array(3 * 784).fill(0)]), labels)).toThrow(/counts differ/);
    expect(() => stripIdx(labels, labels)).toThrow(/not an IDX image file/);
  });
});
