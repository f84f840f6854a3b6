/**
 * Arrays in NumPy's .npy format, version 1.0 (numpy/lib/format.py):
 *
 *   \x93NUMPY, major 1, minor 0, header length (uint16 LE),
 *   header: a Python dict literal {'descr': ..., 'fortran_order': False, 'shape': (...), }
 *           padded with spaces and ended by \n so the data starts 64-byte aligned,
 *   data:   C order, little-endian.
 *
 * Only the kinds an exported model needs: float32 arrays ('<f4'), int64 counters ('<i8') and
 * unicode strings ('<U n', UTF-32 little-endian), which np.load reads with
 * allow_pickle=False (no object arrays anywhere).
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function npyFloat32(shape: readonly number[], data: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const body = new Uint8Array(data.length * 4);
  const view = new DataView(body.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return withHeader("'<f4'", shape, body);
}

/** Whole numbers as int64 ('<i8'): counters PyTorch keeps as int64 (BatchNorm's num_batches_tracked). */
export function npyInt64(shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const body = new Uint8Array(data.length * 8);
  const view = new DataView(body.buffer);
  for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, BigInt(Math.round(data[i]!)), true);
  return withHeader("'<i8'", shape, body);
}

/** A 0-d string array (`shape ()`) for one string, a 1-d one for a list; str(a) gives the text back. */
export function npyStrings(values: string | readonly string[]): Uint8Array {
  const list = typeof values === 'string' ? [values] : values;
  const codePoints = list.map((s) => Array.from(s, (ch) => ch.codePointAt(0)!));
  const width = Math.max(1, ...codePoints.map((c) => c.length));
  const body = new Uint8Array(list.length * width * 4);
  const view = new DataView(body.buffer);
  codePoints.forEach((cps, i) => cps.forEach((cp, j) => view.setUint32((i * width + j) * 4, cp, true)));
  return withHeader(`'<U${width}'`, typeof values === 'string' ? [] : [list.length], body);
}

function withHeader(descr: string, shape: readonly number[], body: Uint8Array): Uint8Array {
  // A 1-tuple needs its trailing comma in Python: (3,)
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': ${descr}, 'fortran_order': False, 'shape': ${tuple}, }`;
  const fixed = MAGIC.length + 2 + 2;
  const total = Math.ceil((fixed + header.length + 1) / 64) * 64;
  header = header.padEnd(total - fixed - 1, ' ') + '\n';
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[fixed + i] = header.charCodeAt(i); // ASCII only
  out.set(body, total);
  return out;
}
