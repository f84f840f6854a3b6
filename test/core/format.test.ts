import { describe, expect, it } from 'vitest';
import { baseName, formatBytes } from '../../core/format.js';

describe('shared text formats (engine messages and renderer panels alike)', () => {
  it('writes sizes in bytes, KB, MB and GB', () => {
    expect(formatBytes(812)).toBe('812 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.50 GB');
  });

  it('takes the file name from POSIX and Windows paths', () => {
    expect(baseName('/home/ada/iris.csv')).toBe('iris.csv');
    expect(baseName('C:\\data\\t10k-images-idx3-ubyte.gz')).toBe('t10k-images-idx3-ubyte.gz');
    expect(baseName('plain.csv')).toBe('plain.csv');
  });
});
