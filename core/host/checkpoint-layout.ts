import type { StudioError } from '../errors.js';

/**
 * The raw arrays of a checkpoint message, checked as a whole before any is
 * decoded: a message whose entries all point at the same bytes would otherwise
 * decode into one copy per entry (4 MB became 2.5 GB). Every array must be
 * aligned, lie inside the raw part, and own its bytes: no two arrays overlap, so
 * decoding allocates at most the size of the message. Parameter names are unique
 * and each parameter's length is its shape's product.
 *
 * The packed arrays are found by walking the header, so an array field added to
 * the checkpoint later is covered without being listed here.
 */

/** More arrays than this is not a network the studio can build (two per layer, a few optimizer slots each). */
export const MAX_CHECKPOINT_ARRAYS = 100_000;

const BYTES = { f32: 4, f64: 8, i32: 4 } as const;

interface Packed {
  $a: keyof typeof BYTES;
  o: number;
  n: number;
}

interface Ref {
  what: string;
  begin: number;
  end: number;
}

export function checkCheckpointLayout(
  header: { params: readonly { name: string; shape: readonly number[]; data: Packed }[] },
  blobBytes: number,
  bad: (msg: string) => StudioError,
): void {
  const names = new Set<string>();
  for (const p of header.params) {
    if (names.has(p.name)) throw bad(`parameter ${p.name} is listed twice`);
    names.add(p.name);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (p.data.n !== size) throw bad(`${p.name}: ${p.data.n} values for shape ${p.shape.join('x')}`);
  }

  const refs: Ref[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}.${i}`));
      return;
    }
    if (!v || typeof v !== 'object') return;
    if (isPacked(v)) {
      if (refs.length >= MAX_CHECKPOINT_ARRAYS) throw bad(`more than ${MAX_CHECKPOINT_ARRAYS} arrays`);
      const end = v.o + v.n * BYTES[v.$a];
      if (v.o % 8 !== 0) throw bad(`${path}: offset ${v.o} is not a multiple of 8`);
      if (end > blobBytes) throw bad(`${path}: ${v.n} values at offset ${v.o} run past the end`);
      if (v.n > 0) refs.push({ what: path, begin: v.o, end });
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(header, '');

  refs.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < refs.length; i++) {
    const prev = refs[i - 1]!;
    const cur = refs[i]!;
    if (cur.begin < prev.end) {
      throw bad(`${cur.what} and ${prev.what} share bytes ${cur.begin}..${Math.min(cur.end, prev.end)}; every array must have its own`);
    }
  }
}

function isPacked(v: object): v is Packed {
  return '$a' in v && 'o' in v && 'n' in v;
}
