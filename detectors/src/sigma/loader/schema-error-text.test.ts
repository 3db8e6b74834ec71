import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { translateSchemaErrors } from './schema-error-text.js';

const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
const validate = ajv.compile({
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    mode: { enum: ['a', 'b'] },
    nested: { type: 'object', properties: { list: { type: 'array', items: { type: 'integer' } } } },
    either: { anyOf: [{ type: 'string', minLength: 3 }, { type: 'array' }] },
  },
});

function problems(data: unknown) {
  validate(data);
  return translateSchemaErrors(validate.errors ?? [], data);
}

describe('translateSchemaErrors', () => {
  it('names an unknown key and a missing key with their paths', () => {
    expect(problems({ nam: 'x' })).toEqual([
      { key: 'name', message: "missing key 'name'" },
      { key: 'nam', message: "unknown key 'nam'" },
    ]);
  });

  it('lists the allowed values of an enum', () => {
    expect(problems({ name: 'x', mode: 'c' })).toEqual([
      { key: 'mode', message: "mode must be one of a, b (got 'c')" },
    ]);
  });

  it('writes list indexes in brackets and names types in words', () => {
    expect(problems({ name: 'x', nested: { list: [1, 'two'] } })).toEqual([
      { key: 'nested.list[1]', message: "list[1] must be an integer (got a string: 'two')" },
    ]);
  });

  it('reports the branch of an anyOf the value was meant for, or the allowed types', () => {
    expect(problems({ name: 'x', either: 'ab' })).toEqual([
      { key: 'either', message: "either must be at least 3 characters long (got 'ab')" },
    ]);
    expect(problems({ name: 'x', either: 5 })).toEqual([
      { key: 'either', message: 'either must be a string or a list (got an integer: 5)' },
    ]);
  });

  it('reports nothing for valid data', () => {
    expect(problems({ name: 'x', mode: 'a', either: 'abc' })).toEqual([]);
  });
});
