import { describe, expect, it } from 'vitest';
import { JsonRecordsError, parseJsonRecords } from './json-records.js';

describe('parseJsonRecords', () => {
  it('reads one value, an array of records, JSON lines and concatenated documents', () => {
    expect(parseJsonRecords('{"a": 1}')).toEqual([{ a: 1 }]);
    expect(parseJsonRecords('[{"a": 1}, {"a": 2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonRecords('{"a": 1}\n{"a": 2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonRecords('{\n  "a": "}{"\n}{"b": "\\"]"}')).toEqual([{ a: '}{' }, { b: '"]' }]);
    expect(parseJsonRecords('\ufeff {"a": 1} 2 "x" null')).toEqual([{ a: 1 }, 2, 'x', null]);
    expect(parseJsonRecords('  \n')).toEqual([]);
  });

  it('names the offset of a value that does not parse', () => {
    expect(() => parseJsonRecords('{"a": 1}\n{"a": }')).toThrow(JsonRecordsError);
    expect(() => parseJsonRecords('{"a": 1}\n{"a": }')).toThrow(/offset 9/);
    expect(() => parseJsonRecords('{"a": 1')).toThrow(/offset 0/);
  });
});
