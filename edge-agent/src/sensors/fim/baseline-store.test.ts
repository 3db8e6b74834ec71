import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BASELINE_FILE,
  BaselineStoreError,
  decodeBaseline,
  loadBaseline,
  saveBaseline,
} from './baseline-store.js';
import type { FileRecord } from './file-record.js';

describe('baseline store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'inosec-fim-store-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const records: FileRecord[] = [
    {
      path: '/etc/passwd',
      type: 'file',
      size: 1234,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtimeUs: 1_700_000_000_123_456,
      ctimeUs: 1_700_000_000_223_456,
      inode: '18446744073709551615',
      dev: '2049',
      sha256: 'ab'.repeat(32),
    },
    {
      path: '/etc/ssl/link',
      type: 'symlink',
      size: 9,
      mode: 0o777,
      uid: 0,
      gid: 0,
      mtimeUs: 1,
      ctimeUs: 2,
      inode: '5',
      dev: '2049',
      target: '../x',
    },
  ];

  it('round-trips records and roots and leaves no temporary file', async () => {
    const bytes = await saveBaseline(dir, ['/etc'], new Map(records.map((r) => [r.path, r])), 99);
    expect(bytes).toBeGreaterThan(0);
    expect(await fsp.readdir(dir)).toEqual([BASELINE_FILE]);
    const loaded = await loadBaseline(dir);
    expect(loaded?.roots).toEqual(['/etc']);
    expect(loaded?.savedUnixUs).toBe(99);
    expect(loaded?.badRows).toBe(0);
    expect([...(loaded?.records.values() ?? [])]).toEqual(records);
  });

  it('returns null when there is no baseline and throws a named error on garbage', async () => {
    expect(await loadBaseline(dir)).toBeNull();
    await fsp.writeFile(path.join(dir, BASELINE_FILE), 'not gzip');
    await expect(loadBaseline(dir)).rejects.toBeInstanceOf(BaselineStoreError);
    await fsp.writeFile(path.join(dir, BASELINE_FILE), gzipSync('{"format":"other","version":1}'));
    await expect(loadBaseline(dir)).rejects.toThrow(/unknown format/);
  });

  it('drops and counts malformed rows', () => {
    const doc = {
      format: 'inosec-fim-baseline',
      version: 1,
      roots: ['/etc'],
      rows: [
        ['/etc/a', 'file', 1, 420, 0, 0, 1, 1, '1', '1', '', ''],
        ['relative', 'file', 1, 420, 0, 0, 1, 1, '1', '1', '', ''],
        ['/etc/b', 'weird', 1, 420, 0, 0, 1, 1, '1', '1', '', ''],
        ['/etc/c', 'file', '1', 420, 0, 0, 1, 1, '1', '1', '', ''],
        'garbage',
      ],
    };
    const b = decodeBaseline(doc, 'test');
    expect([...b.records.keys()]).toEqual(['/etc/a']);
    expect(b.badRows).toBe(4);
  });
});
