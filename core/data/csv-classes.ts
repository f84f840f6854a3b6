import { StudioError } from '../errors.js';
import { DATA_LIMITS, formatCount } from './limits.js';
import { compareDecimals, decimalClassName, exactDecimal } from './csv-number.js';

const COLLATOR = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Class names in a stable, sensible order: numeric labels by value (`2` before
 * `10`; `1` and `1.0` are one class), text labels in natural order
 * (`class2` before `class10`).
 */
export function assignClasses(
  rawLabels: string[],
  rowLabel: Int32Array,
  numeric: boolean,
  file: string,
  column: string,
): { labels: Int32Array; classNames: string[] } {
  // Numeric labels are compared as exact decimals, not as doubles: see csv-number.ts.
  const keyOf = numeric ? decimalClassName : (s: string) => s;
  const keys = rawLabels.map(keyOf);
  const distinct = [...new Set(keys)];
  if (distinct.length > DATA_LIMITS.maxClasses) {
    throw new StudioError(
      'BAD_DATA',
      `the label ${column} has ${formatCount(distinct.length)} distinct values; a classifier takes at most ` +
        `${formatCount(DATA_LIMITS.maxClasses)} classes (is it a continuous value? choose the label column)`,
      { file },
    );
  }
  if (numeric) distinct.sort((a, b) => compareDecimals(exactDecimal(a), exactDecimal(b)));
  else distinct.sort((a, b) => COLLATOR.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
  const classOf = new Map(distinct.map((k, i) => [k, i]));
  const idToClass = keys.map((k) => classOf.get(k)!);
  const labels = new Int32Array(rowLabel.length);
  for (let i = 0; i < rowLabel.length; i++) labels[i] = idToClass[rowLabel[i]!]!;
  return { labels, classNames: distinct };
}
