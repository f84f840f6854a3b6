/**
 * What a number is in a CSV/TSV cell, and when two numeric labels are the same class.
 *
 * A number is a decimal: an optional sign, digits with an optional point, an
 * optional exponent (`12`, `-0.5`, `.5`, `3.`, `1e-3`, `+2E+4`). Nothing else:
 * JavaScript's Number() would also read `0x10` (16), `0b101`, `0o7`, `Infinity`
 * and a cell of spaces or a newline, which in a data file are a typo or another
 * program's notation, never what a spreadsheet meant. Surrounding spaces are not
 * part of a number either: comma- and semicolon-separated files have them trimmed
 * by the parser (outside quotes), tab-separated files keep them and are refused.
 * Semicolon-separated files may use a decimal comma (`3,14`), as the locales that
 * write them do.
 */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/** The cell as a number, NaN when it is not a decimal number (see above). */
export function parseDecimal(cell: string, delimiter: string): number {
  // Number() reads exactly the decimals among strings made of these characters
  // (hex, binary, octal, Infinity and spaces all need others); this loop is
  // cheaper than a regular expression on the millions of cells of a large file.
  let plain = cell.length > 0;
  for (let i = 0; i < cell.length && plain; i++) {
    const c = cell.charCodeAt(i);
    plain = (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
  }
  if (plain) return Number(cell);
  if (delimiter === ';' && DECIMAL_COMMA.test(cell)) return Number(cell.replace(',', '.'));
  return NaN;
}

/**
 * A numeric label as an exact decimal: sign, significant digits, exponent. Two
 * labels are one class when these are equal (`1`, `1.0` and `10e-1` are one),
 * and stay two when only float64 rounding would merge them (`9007199254740993`
 * and `9007199254740992`; `1e400` and `2e400`, both Infinity as doubles).
 */
export interface ExactDecimal {
  negative: boolean;
  /** Significant digits without leading or trailing zeros; '' for zero. */
  digits: string;
  /** The value is 0.digits × 10^exponent. */
  exponent: number;
}

export function exactDecimal(text: string): ExactDecimal {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal: ${text}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const all = int + frac;
  const lead = all.search(/[^0]/);
  if (lead < 0) return { negative: false, digits: '', exponent: 0 };
  const digits = all.slice(lead).replace(/0+$/, '');
  // Exponents beyond what a double can even hold as an integer are clamped: no label is that long.
  const e = Math.max(-1e15, Math.min(1e15, Number(exp)));
  return { negative: sign === '-', digits, exponent: int.length - lead + e };
}

/** A stable text for the class: the usual form when float64 holds it exactly, else an exact one. */
export function decimalClassName(text: string): string {
  const exact = exactDecimal(text);
  const usual = String(Number(text.trim()));
  if (Number.isFinite(Number(usual)) && sameDecimal(exactDecimal(usual), exact)) return usual;
  if (exact.digits === '') return '0';
  const sign = exact.negative ? '-' : '';
  if (isIntegerDecimal(exact) && exact.exponent <= 21) return sign + exact.digits.padEnd(exact.exponent, '0');
  const mantissa = exact.digits.length > 1 ? `${exact.digits[0]}.${exact.digits.slice(1)}` : exact.digits;
  return `${sign}${mantissa}e${exact.exponent - 1}`;
}

function sameDecimal(a: ExactDecimal, b: ExactDecimal): boolean {
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

/** Order of exact decimals by value. */
export function compareDecimals(a: ExactDecimal, b: ExactDecimal): number {
  const sign = (x: ExactDecimal): number => (x.digits === '' ? 0 : x.negative ? -1 : 1);
  if (sign(a) !== sign(b)) return sign(a) - sign(b);
  if (sign(a) === 0) return 0;
  let magnitude = a.exponent - b.exponent;
  if (magnitude === 0) magnitude = a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  return sign(a) * Math.sign(magnitude);
}

/** True when the decimal has no fractional part (a class index such as 3, 3.0 or 3e0). */
export function isIntegerDecimal(x: ExactDecimal): boolean {
  return x.digits.length <= x.exponent || x.digits === '';
}
