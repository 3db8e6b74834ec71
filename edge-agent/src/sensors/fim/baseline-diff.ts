import { compareRecords, type FileRecord } from './file-record.js';

/** One change found by comparing two views of the same paths. */
export interface FileChange {
  action: 'created' | 'modified' | 'deleted' | 'attributes_changed' | 'renamed';
  /** The path now (for a deletion, the path that disappeared). */
  path: string;
  /** The record before (absent for a creation). */
  previous?: FileRecord;
  /** The record now (absent for a deletion). */
  current?: FileRecord;
  changedAttributes: string[];
}

/**
 * Compares a previous and a current view of the same set of paths and returns the changes sorted by path.
 * A path that vanished and another that appeared with the same device, inode and type (and, for regular files, the
 * same hash, or the same size and mtime when unhashed) is reported once as `renamed` instead of deleted + created.
 */
export function diffRecords(
  previous: ReadonlyMap<string, FileRecord>,
  current: ReadonlyMap<string, FileRecord>,
): FileChange[] {
  const changes: FileChange[] = [];
  const created: FileRecord[] = [];
  const deleted: FileRecord[] = [];
  for (const cur of current.values()) {
    const prev = previous.get(cur.path);
    if (prev === undefined) {
      created.push(cur);
      continue;
    }
    const cmp = compareRecords(prev, cur);
    if (cmp !== null) {
      changes.push({
        action: cmp.action,
        path: cur.path,
        previous: prev,
        current: cur,
        changedAttributes: cmp.changedAttributes,
      });
    }
  }
  for (const prev of previous.values()) if (!current.has(prev.path)) deleted.push(prev);

  const createdByInode = new Map<string, FileRecord[]>();
  for (const rec of created) {
    const key = `${rec.dev}:${rec.inode}`;
    const list = createdByInode.get(key);
    if (list) list.push(rec);
    else createdByInode.set(key, [rec]);
  }
  const renamedTo = new Set<string>();
  for (const prev of deleted) {
    const candidates = createdByInode.get(`${prev.dev}:${prev.inode}`);
    const match = candidates?.find((c) => !renamedTo.has(c.path) && sameObject(prev, c));
    if (match) {
      renamedTo.add(match.path);
      const cmp = compareRecords(prev, match);
      changes.push({
        action: 'renamed',
        path: match.path,
        previous: prev,
        current: match,
        changedAttributes: cmp?.changedAttributes ?? [],
      });
    } else {
      changes.push({ action: 'deleted', path: prev.path, previous: prev, changedAttributes: [] });
    }
  }
  for (const cur of created) {
    if (!renamedTo.has(cur.path))
      changes.push({ action: 'created', path: cur.path, current: cur, changedAttributes: [] });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sameObject(a: FileRecord, b: FileRecord): boolean {
  if (a.type !== b.type) return false;
  if (a.type !== 'file') return true;
  if (a.sha256 !== undefined && b.sha256 !== undefined) return a.sha256 === b.sha256;
  return a.size === b.size && a.mtimeUs === b.mtimeUs;
}
