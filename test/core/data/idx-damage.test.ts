import { describe, expect, test } from 'vitest';
import { readDataFile } from '../../../core/data/read-data.js';
import { encodeIdx } from '../../../scripts/mnist-idx.mjs';
import { studioRefusal } from '../studio-failure.js';

/** A damaged IDX file is refused in one line of sensible length, never trained on as something else. */

const IMAGES = 'x-images-idx3-ubyte';
const LABELS = 'x-labels-idx1-ubyte';

function read(labels: number[]) {
  const images = encodeIdx([labels.length, 2, 2], new Uint8Array(labels.length * 4).map((_, i) => i % 256));
  return readDataFile({ name: IMAGES, bytes: images, labels: { name: LABELS, bytes: encodeIdx([labels.length], labels) } });
}

const digits = Array.from({ length: 100 }, (_, i) => i % 10);

describe('a label far from all the others is a damaged byte, not a class', () => {
  test.each([255, 200, 27])('one %i among the digits 0..9 is refused, naming the sample and the byte', (bad) => {
    const labels = [...digits];
    labels[57] = bad;
    const e = studioRefusal(() => read(labels));
    expect(e.code).toBe('BAD_DATA');
    expect(e.where).toEqual({ file: LABELS });
    expect(e.message).toBe(
      `${LABELS}: the label of sample 58 (byte 65 of the file) is ${bad}, far from every other label ` +
        '(the others run 0..9; 1 sample with ' + bad + '): the file looks damaged',
    );
  });

  test('classes missing from a subset are fine: labels 0 and 9 only, or 1..26 (letters)', () => {
    expect(read(digits.map((d) => (d < 5 ? 0 : 9))).dataset.classNames).toHaveLength(10);
    expect(read(Array.from({ length: 52 }, (_, i) => 1 + (i % 26))).dataset.classNames).toHaveLength(27);
  });

  test('a gap of up to 16 missing classes is a subset; 17 is damage', () => {
    expect(read([...digits, 26]).dataset.classNames).toHaveLength(27);
    expect(() => read([...digits, 27])).toThrow(/far from every other label/);
  });
});

describe('messages about IDX headers stay one readable line', () => {
  test('a header of 255 dimensions', () => {
    const e = studioRefusal(() => readDataFile({ name: IMAGES, bytes: encodeIdx(new Array(255).fill(2), []) }, { labelColumn: null }));
    expect(e.message).toMatch(/^x-images-idx3-ubyte: truncated: the header announces 2 x 2 x 2 x 2 x 2 x 2 x \.\.\. \(255 dimensions\) values/);
    expect(e.message.length).toBeLessThan(200);
  });

  test('a labels file of many dimensions given as labels', () => {
    const many = new Array(40).fill(1);
    const e = studioRefusal(() =>
      readDataFile({ name: IMAGES, bytes: encodeIdx([1, 2, 2], [1, 2, 3, 4]), labels: { name: LABELS, bytes: encodeIdx(many, [5]) } }),
    );
    expect(e.message).toBe(`${LABELS}: an IDX labels file has 1 dimension, this one has 40 (1 x 1 x 1 x 1 x 1 x 1 x ... (40 dimensions)): is it an images file?`);
  });
});
