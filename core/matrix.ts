/**
 * A dense row-major matrix. The batch is the rows.
 *
 * `data` is a *view*: it may sit in a plain ArrayBuffer, a SharedArrayBuffer or a
 * WebAssembly memory, so code must never assume it owns a whole buffer (use
 * `data.length`, never `data.buffer.byteLength`). Float64 matrices exist for the
 * gradient check, which must run in double precision; training runs in float32.
 */
export type FloatArray = Float32Array | Float64Array;

export class Matrix<A extends FloatArray = FloatArray> {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: A,
  ) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`Matrix shape must be non-negative integers, got ${rows}x${cols}`);
    }
    if (data.length !== rows * cols) {
      throw new RangeError(`Matrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
    }
  }

  get size(): number {
    return this.rows * this.cols;
  }

  get(r: number, c: number): number {
    return this.data[r * this.cols + c]!;
  }

  set(r: number, c: number, v: number): void {
    this.data[r * this.cols + c] = v;
  }

  /** Row `r` as a view (no copy). */
  row(r: number): A {
    return this.data.subarray(r * this.cols, (r + 1) * this.cols) as A;
  }

  shapeString(): string {
    return `${this.rows}x${this.cols}`;
  }

  static zeros(rows: number, cols: number): Matrix<Float32Array> {
    return new Matrix(rows, cols, new Float32Array(rows * cols));
  }

  static zeros64(rows: number, cols: number): Matrix<Float64Array> {
    return new Matrix(rows, cols, new Float64Array(rows * cols));
  }

  /** Build from nested arrays (tests, small examples). */
  static from(rows: readonly (readonly number[])[]): Matrix<Float32Array> {
    const r = rows.length;
    const c = r === 0 ? 0 : rows[0]!.length;
    const m = Matrix.zeros(r, c);
    rows.forEach((row, i) => {
      if (row.length !== c) throw new RangeError(`Row ${i} has ${row.length} values, expected ${c}`);
      m.data.set(row, i * c);
    });
    return m;
  }

  toArrays(): number[][] {
    const out: number[][] = [];
    for (let r = 0; r < this.rows; r++) out.push(Array.from(this.row(r)));
    return out;
  }
}

export function sameShape(a: Matrix, b: Matrix): boolean {
  return a.rows === b.rows && a.cols === b.cols;
}

export function assertShape(m: Matrix, rows: number, cols: number, what: string): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new RangeError(`${what}: expected ${rows}x${cols}, got ${m.shapeString()}`);
  }
}
