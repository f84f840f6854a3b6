import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../renderer/src/lib/csv.js';
import { formatCount, formatDuration, formatPercent, formatRate, formatValue } from '../../../renderer/src/lib/format.js';
import { smooth, Smoother } from '../../../renderer/src/lib/smoothing.js';

describe('formatting', () => {
  it('writes values readably across magnitudes, and says NaN and infinity', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(2.5e-7)).toBe('2.500e-7');
    expect(formatValue(123456789)).toBe('1.235e8');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('−∞');
    expect(formatCount(39760)).toBe('39,760');
    expect(formatPercent(0.97314)).toBe('97.31%');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(42)).toBe('0:42');
    expect(formatRate(48_200)).toBe('48k/s');
  });

  it('quotes CSV cells that need it (RFC 4180) and writes non-finite numbers by name', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [NaN, Infinity]])).toBe('a,b\n"x,y","say ""hi"""\nNaN,Infinity\n');
  });
});

describe('loss smoothing', () => {
  it('starts where the raw curve starts (bias-corrected) and follows a constant exactly', () => {
    expect(smooth([2, 2, 2], 0.9)).toEqual([2, 2, 2]);
    const s = smooth([1, 0], 0.5);
    expect(s[0]).toBe(1);
    expect(s[1]).toBeCloseTo(1 / 3, 12); // (0.25 + 0) / (1 - 0.25)
  });

  it('shows a diverged point as it is instead of averaging it away', () => {
    const s = new Smoother(0.6);
    s.push(1);
    expect(s.push(NaN)).toBeNaN();
    expect(s.push(1)).toBeCloseTo(1, 12);
    expect(() => new Smoother(1)).toThrow(/\[0, 1\)/);
  });
});
