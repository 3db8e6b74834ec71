import { describe, expect, it } from 'vitest';
import { diffRecords } from './baseline-diff.js';
import { compareRecords, formatMode, type FileRecord } from './file-record.js';

function rec(p: string, over: Partial<FileRecord> = {}): FileRecord {
  return {
    path: p,
    type: 'file',
    size: 10,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeUs: 1_000,
    ctimeUs: 1_000,
    inode: '42',
    dev: '2049',
    sha256: 'aa',
    ...over,
  };
}

const map = (...recs: FileRecord[]): Map<string, FileRecord> => new Map(recs.map((r) => [r.path, r]));

describe('compareRecords', () => {
  it('classifies content and attribute changes', () => {
    expect(compareRecords(rec('/f'), rec('/f'))).toBeNull();
    expect(compareRecords(rec('/f'), rec('/f', { sha256: 'bb' }))).toEqual({
      action: 'modified',
      changedAttributes: ['hash'],
    });
    expect(compareRecords(rec('/f'), rec('/f', { mode: 0o600, uid: 1 }))).toEqual({
      action: 'attributes_changed',
      changedAttributes: ['mode', 'uid'],
    });
    expect(
      compareRecords(rec('/f'), rec('/f', { size: 11, sha256: 'bb', gid: 5 }))?.changedAttributes,
    ).toEqual(['size', 'hash', 'gid']);
  });

  it('ignores a touch when the hash is known, but not when it is not', () => {
    expect(compareRecords(rec('/f'), rec('/f', { mtimeUs: 2_000, ctimeUs: 2_000 }))).toBeNull();
    const unhashed = { sha256: undefined };
    expect(compareRecords(rec('/f', unhashed), rec('/f', { ...unhashed, mtimeUs: 2_000 }))?.action).toBe(
      'modified',
    );
  });

  it('ignores directory size and mtime, reports symlink retargets and type changes', () => {
    const dir = { type: 'dir' as const, sha256: undefined };
    expect(compareRecords(rec('/d', dir), rec('/d', { ...dir, size: 8192, mtimeUs: 5 }))).toBeNull();
    const link = { type: 'symlink' as const, sha256: undefined, target: '/a' };
    expect(compareRecords(rec('/l', link), rec('/l', { ...link, target: '/b' }))?.changedAttributes).toEqual([
      'target',
    ]);
    expect(compareRecords(rec('/x'), rec('/x', dir))?.changedAttributes).toEqual(['type']);
  });

  it('formats modes as four octal digits', () => {
    expect(formatMode(0o644)).toBe('0644');
    expect(formatMode(0o4755)).toBe('4755');
    expect(formatMode(0o100600)).toBe('0600');
  });
});

describe('diffRecords', () => {
  it('reports created, deleted and modified paths sorted by path', () => {
    const changes = diffRecords(
      map(rec('/b', { inode: '1' }), rec('/c', { inode: '2' })),
      map(rec('/a', { inode: '3', sha256: 'zz' }), rec('/c', { inode: '2', sha256: 'cc' })),
    );
    expect(changes.map((c) => [c.action, c.path])).toEqual([
      ['created', '/a'],
      ['deleted', '/b'],
      ['modified', '/c'],
    ]);
  });

  it('pairs a vanished and an appeared path with the same inode and content as a rename', () => {
    const changes = diffRecords(
      map(rec('/old', { inode: '7' })),
      map(rec('/new', { inode: '7', mode: 0o600 })),
    );
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ action: 'renamed', path: '/new', changedAttributes: ['mode'] });
    expect(changes[0]?.previous?.path).toBe('/old');
  });

  it('does not pair a reused inode with different content', () => {
    const changes = diffRecords(
      map(rec('/old', { inode: '7' })),
      map(rec('/new', { inode: '7', sha256: 'ff' })),
    );
    expect(changes.map((c) => c.action).sort()).toEqual(['created', 'deleted']);
  });
});
