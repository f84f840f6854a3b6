import { describe, expect, it } from 'vitest';
import { StudioError, formatPlace } from '../../core/errors.js';
import { readDataFile } from '../../core/data/read-data.js';
import { studioFailure } from './studio-failure.js';

describe('StudioError', () => {
  it('puts the place first, as a compiler does', () => {
    expect(formatPlace({ file: 'a.csv', line: 3, column: 2 })).toBe('a.csv:3:2: ');
    expect(formatPlace({ file: 'm.safetensors', field: 'spec' })).toBe('m.safetensors: field spec: ');
    expect(formatPlace({ line: 4 })).toBe('line 4: ');
    expect(new StudioError('BAD_DATA', 'empty', { file: 'a.csv' }).message).toBe('a.csv: empty');
  });

  it('stays one line when what it quotes holds line breaks', () => {
    expect(new StudioError('BAD_DATA', 'cell "a\nb" and "c\r\nd" and "e\rf"').message).toBe('cell "a\\nb" and "c\\nd" and "e\\nf"');
    // A quoted cell with a line break in a number column: the message quotes it, on one line.
    const csv = new TextEncoder().encode('a,b,label\n1,"2\n3",0\n4,5,1\n');
    expect(studioFailure(() => readDataFile({ name: 't.csv', bytes: csv }))).toMatch(/^NOT_A_NUMBER: t\.csv:2:2: column "b": "2\\n3" is not a number$/);
  });
});
