import { spread, type Spread } from './stats.js';

/** The bench's figures and how they are printed. */
export type Json = Record<string, unknown>;

/** Results of one measured configuration across runs. */
export class Series {
  readonly results: Json[] = [];
  readonly errors: string[] = [];
  constructor(readonly label: string) {}
  add(r: Json): void {
    this.results.push(r);
  }
  num(key: string): Spread | null {
    return spread(this.results.map((r) => Number(r[key])));
  }
  first(key: string): unknown {
    return this.results[0]?.[key];
  }
  summary(keys: string[]): Json {
    const out: Json = { label: this.label, runs: this.results.length };
    for (const k of keys) out[k] = this.num(k);
    if (this.errors.length) out.errors = this.errors;
    return out;
  }
}

export function fmt(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 10000) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}

export function fmtSpread(s: Spread | null, digits = 1): string {
  if (!s) return '-';
  return s.n > 1 ? `${fmt(s.median, digits)} [${fmt(s.min, digits)}-${fmt(s.max, digits)}]` : fmt(s.median, digits);
}

export function fmtRatio(r: number | null): string {
  return r === null ? '-' : `${r.toFixed(2)}x`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}
