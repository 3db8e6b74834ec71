import { describe, expect, it } from 'vitest';
import { readCsvRecords, type CsvRecord } from './csv-records.js';

const read = (text: string): CsvRecord[] => [...readCsvRecords(text)];

describe('readCsvRecords', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, giving each record its first line', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n\nlast,';
    expect(read(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', 'z'] },
      { line: 6, fields: ['last', ''] },
    ]);
  });

  it('reports an unterminated quote and resumes on the next line', () => {
    expect(read('ok,1\n"broken,2\nfine,3\n')).toEqual([
      { line: 1, fields: ['ok', '1'] },
      { line: 2, error: 'unterminated quoted field' },
      { line: 3, fields: ['fine', '3'] },
    ]);
  });

  it('reports text after a closing quote', () => {
    expect(read('"a"b,c\nd\n')).toEqual([
      { line: 1, error: "unexpected 'b' after a closing quote" },
      { line: 2, fields: ['d'] },
    ]);
  });

  it('skips a byte-order mark', () => {
    expect(read('\ufeffindicator\n')).toEqual([{ line: 1, fields: ['indicator'] }]);
  });
});
