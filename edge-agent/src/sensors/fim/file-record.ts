import type { BigIntStats } from 'node:fs';

/** File types as FileEvent.type spells them. */
export type FileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'block' | 'char' | 'unknown';

/** What the baseline keeps about one path. */
export interface FileRecord {
  path: string;
  type: FileType;
  size: number;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeUs: number;
  ctimeUs: number;
  /** Inode and device as decimal text (they may exceed 2^53). */
  inode: string;
  dev: string;
  /** Lower-case hex SHA-256 of the content; regular files within max_file_bytes only. */
  sha256?: string;
  /** Symlink target as stored in the link (never followed). */
  target?: string;
}

/** Maps lstat results to a FileType. */
export function fileTypeOf(st: BigIntStats): FileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice()) return 'block';
  if (st.isCharacterDevice()) return 'char';
  return 'unknown';
}

/** Builds a record (without hash or target) from bigint lstat results. */
export function recordFromStats(filePath: string, st: BigIntStats): FileRecord {
  return {
    path: filePath,
    type: fileTypeOf(st),
    size: Number(st.size),
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtimeUs: Number(st.mtimeNs / 1000n),
    ctimeUs: Number(st.ctimeNs / 1000n),
    inode: st.ino.toString(),
    dev: st.dev.toString(),
  };
}

/** Permission bits as four octal digits: 0o644 -> "0644", 0o4755 -> "4755". */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * True when the stored hash still describes the file: same inode, device, size, mtime and ctime. ctime cannot be
 * set from user space, so a content write always moves it.
 */
export function statUnchanged(prev: FileRecord, cur: FileRecord): boolean {
  return (
    prev.type === cur.type &&
    prev.inode === cur.inode &&
    prev.dev === cur.dev &&
    prev.size === cur.size &&
    prev.mtimeUs === cur.mtimeUs &&
    prev.ctimeUs === cur.ctimeUs
  );
}

/** How one path changed between two records; null when nothing worth reporting changed. */
export interface RecordComparison {
  action: 'modified' | 'attributes_changed';
  /** Subset of type, size, hash, mtime, target, mode, uid, gid. */
  changedAttributes: string[];
}

/**
 * Compares two records of the same path. Content (type, size, hash, symlink target; mtime only for regular files
 * without a hash on both sides) makes it `modified`; mode, uid, gid alone make it `attributes_changed`. Directory
 * size and mtime move with every entry added or removed and are not reported. A touch (mtime only, same hash) is
 * not reported.
 */
export function compareRecords(prev: FileRecord, cur: FileRecord): RecordComparison | null {
  const changed: string[] = [];
  let content = false;
  if (prev.type !== cur.type) {
    changed.push('type');
    content = true;
  } else if (cur.type === 'file') {
    if (prev.size !== cur.size) {
      changed.push('size');
      content = true;
    }
    if (prev.sha256 !== undefined && cur.sha256 !== undefined) {
      if (prev.sha256 !== cur.sha256) {
        changed.push('hash');
        content = true;
      }
    } else if (prev.mtimeUs !== cur.mtimeUs) {
      changed.push('mtime');
      content = true;
    }
  } else if (cur.type === 'symlink' && prev.target !== cur.target) {
    changed.push('target');
    content = true;
  }
  if (prev.mode !== cur.mode) changed.push('mode');
  if (prev.uid !== cur.uid) changed.push('uid');
  if (prev.gid !== cur.gid) changed.push('gid');
  if (changed.length === 0) return null;
  return { action: content ? 'modified' : 'attributes_changed', changedAttributes: changed };
}
