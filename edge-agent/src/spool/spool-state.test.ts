import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_FILE, StateStore, initialState, readStateFile, validateState } from './spool-state.js';

const valid = { ...initialState('boot-1'), ackedSeq: 41, nextSeq: 42, reservedSeq: 50, clean: false };

describe('spool state file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-spool-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what the store wrote', async () => {
    await new StateStore(dir, () => valid).save();
    expect(await readStateFile(dir)).toEqual({ kind: 'ok', state: valid });
  });

  it('reports a missing file as missing, not invalid', async () => {
    expect(await readStateFile(dir)).toEqual({ kind: 'missing' });
  });

  it('reports a torn file as not JSON', async () => {
    await writeFile(path.join(dir, STATE_FILE), '{"version": 1, "ackedSeq": "oops"');
    const read = await readStateFile(dir);
    expect(read.kind).toBe('invalid');
    expect(read.kind === 'invalid' && read.reason).toMatch(/^not JSON: /);
  });

  it('names the bad key and why', async () => {
    await writeFile(path.join(dir, STATE_FILE), JSON.stringify({ ...valid, ackedSeq: 'oops' }));
    expect(await readStateFile(dir)).toEqual({
      kind: 'invalid',
      reason: 'ackedSeq: expected a whole number from 0 to 2^53-1, got "oops"',
    });
  });
});

describe('validateState', () => {
  it('keeps the known keys and drops unknown ones', () => {
    expect(validateState({ ...valid, extra: 'x' })).toEqual({ ok: true, state: valid });
  });

  it.each([
    ['version', 2, 'version: expected 1, got 2'],
    ['version', '1', 'version: expected 1, got "1"'],
    ['ackedSeq', -1, 'ackedSeq: expected a whole number from 0 to 2^53-1, got -1'],
    ['ackedSeq', 1.5, 'ackedSeq: expected a whole number from 0 to 2^53-1, got 1.5'],
    ['ackedSeq', 2 ** 53, 'ackedSeq: expected a whole number from 0 to 2^53-1, got 9007199254740992'],
    ['nextSeq', 0, 'nextSeq: expected a whole number from 1 to 2^53-1, got 0'],
    ['reservedSeq', null, 'reservedSeq: expected a whole number from 0 to 2^53-1, got null'],
    ['clean', 'yes', 'clean: expected true or false, got "yes"'],
    ['bootId', 5, 'bootId: expected a string, got 5'],
    ['tornBytes', undefined, 'tornBytes: expected a whole number from 0 to 2^53-1, got nothing'],
    ['skippedSeqs', { n: 1 }, 'skippedSeqs: expected a whole number from 0 to 2^53-1, got {"n":1}'],
  ])('refuses %s = %j: %s', (key, value, reason) => {
    expect(validateState({ ...valid, [key]: value })).toEqual({ ok: false, reason });
  });

  it('lists every bad key, one per line', () => {
    expect(validateState({ ...valid, version: 3, clean: 1, quarantined: -2 })).toEqual({
      ok: false,
      reason: [
        'version: expected 1, got 3',
        'clean: expected true or false, got 1',
        'quarantined: expected a whole number from 0 to 2^53-1, got -2',
      ].join('\n'),
    });
  });

  it.each([
    [[], 'expected a JSON object, got []'],
    [null, 'expected a JSON object, got null'],
    ['state', 'expected a JSON object, got "state"'],
  ])('refuses a document that is not an object: %j', (json, reason) => {
    expect(validateState(json)).toEqual({ ok: false, reason });
  });

  it('shows at most 40 characters of a bad value', () => {
    const result = validateState({ ...valid, bootId: ['x'.repeat(100)] });
    expect(result).toEqual({ ok: false, reason: `bootId: expected a string, got ["${'x'.repeat(38)}` });
  });
});
