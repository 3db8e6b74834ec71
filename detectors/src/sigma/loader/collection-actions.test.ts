import { describe, expect, it } from 'vitest';
import { deepMerge, resolveCollection } from './collection-actions.js';

const docs = (...values: unknown[]) => values.map((value, documentIndex) => ({ value, documentIndex }));

describe('resolveCollection', () => {
  it('loads plain documents unchanged and skips empty ones', () => {
    const { documents, errors } = resolveCollection(docs({ title: 'a' }, null, { title: 'b' }), 'f.yml');
    expect(errors).toEqual([]);
    expect(documents).toEqual([
      { value: { title: 'a' }, documentIndex: 0 },
      { value: { title: 'b' }, documentIndex: 2 },
    ]);
  });

  it('deep-merges a global document into every following rule until reset', () => {
    const { documents, errors } = resolveCollection(
      docs(
        { action: 'global', logsource: { product: 'linux' }, detection: { condition: 'sel' }, level: 'high' },
        { title: 'a', logsource: { service: 'auth' }, detection: { sel: { x: 1 } } },
        { title: 'b', logsource: { service: 'sshd' }, detection: { sel: { y: 2 } } },
        { action: 'reset' },
        { title: 'c' },
      ),
      'f.yml',
    );
    expect(errors).toEqual([]);
    expect(documents.map((d) => d.value)).toEqual([
      {
        title: 'a',
        logsource: { service: 'auth', product: 'linux' },
        detection: { sel: { x: 1 }, condition: 'sel' },
        level: 'high',
      },
      {
        title: 'b',
        logsource: { service: 'sshd', product: 'linux' },
        detection: { sel: { y: 2 }, condition: 'sel' },
        level: 'high',
      },
      { title: 'c' },
    ]);
    expect(documents.map((d) => d.documentIndex)).toEqual([1, 2, 4]);
  });

  it("gives the global document's value precedence where both set a scalar (as pySigma does)", () => {
    const { documents } = resolveCollection(
      docs({ action: 'global', level: 'high' }, { title: 'a', level: 'low' }),
      'f',
    );
    expect(documents[0]?.value.level).toBe('high');
  });

  it('a second global replaces the first', () => {
    const { documents } = resolveCollection(
      docs({ action: 'global', level: 'high' }, { action: 'global', status: 'test' }, { title: 'a' }),
      'f',
    );
    expect(documents[0]?.value).toEqual({ title: 'a', status: 'test' });
  });

  it('repeat takes the previous rule (global included) and overrides keys, and can chain', () => {
    const { documents, errors } = resolveCollection(
      docs(
        { action: 'global', author: 'me' },
        {
          title: 'a',
          logsource: { product: 'linux', service: 'auth' },
          detection: { sel: { x: 1 }, condition: 'sel' },
        },
        { action: 'repeat', title: 'b', logsource: { service: 'sshd' } },
        { action: 'repeat', title: 'c', detection: { sel: { x: 2 } } },
      ),
      'f',
    );
    expect(errors).toEqual([]);
    expect(documents.map((d) => d.value)).toEqual([
      {
        title: 'a',
        author: 'me',
        logsource: { product: 'linux', service: 'auth' },
        detection: { sel: { x: 1 }, condition: 'sel' },
      },
      {
        title: 'b',
        author: 'me',
        logsource: { product: 'linux', service: 'sshd' },
        detection: { sel: { x: 1 }, condition: 'sel' },
      },
      {
        title: 'c',
        author: 'me',
        logsource: { product: 'linux', service: 'sshd' },
        detection: { sel: { x: 2 }, condition: 'sel' },
      },
    ]);
    // No document shares objects with another: changing one leaves the others alone.
    (documents[1]?.value.logsource as Record<string, unknown>).service = 'changed';
    expect((documents[2]?.value.logsource as Record<string, unknown>).service).toBe('sshd');
  });

  it('reports a repeat with nothing before it, an unknown action and a non-map document, and keeps going', () => {
    const { documents, errors } = resolveCollection(
      docs({ action: 'repeat', title: 'r' }, { action: 'globl', title: 'g' }, ['a', 'list'], { title: 'ok' }),
      'multi.yml',
    );
    expect(documents.map((d) => d.value.title)).toEqual(['ok']);
    expect(errors.map((e) => e.message)).toEqual([
      "multi.yml, rule r, at action: 'action: repeat' has no previous rule to repeat",
      "multi.yml, rule g, at action: unknown collection action 'globl': expected global, reset or repeat",
      'multi.yml, rule document 3: the YAML document is not a map of keys (a Sigma rule is a map)',
    ]);
    expect(errors[1]?.location).toEqual({ file: 'multi.yml', ruleId: 'g', key: 'action' });
  });
});

describe('deepMerge', () => {
  it('merges maps key by key, replaces lists and scalars, and modifies neither input', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const over = { a: { c: [3] }, d: { e: 1 } };
    expect(deepMerge(base, over)).toEqual({ a: { b: 1, c: [3] }, d: { e: 1 } });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
    expect(over).toEqual({ a: { c: [3] }, d: { e: 1 } });
  });

  it('keeps a __proto__ key as data instead of changing prototypes', () => {
    const over = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const merged = deepMerge({}, over);
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((merged as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
