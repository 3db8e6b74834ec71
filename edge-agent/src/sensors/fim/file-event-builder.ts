import { inosec, type IFileEvent } from '@inosec/protos';
import type { EventDraft } from '../sensor.js';
import type { FileChange } from './baseline-diff.js';
import { formatMode, type FileRecord } from './file-record.js';

const Action = inosec.v1.FileEvent.Action;

/** The sensor name written to Event.sensor. */
export const FIM_SENSOR_NAME = 'fim';

/** uid/gid to name lookup used to fill owner and group. */
export interface IdNames {
  userName(uid: number): string;
  groupName(gid: number): string;
}

const ACTIONS: Record<FileChange['action'], inosec.v1.FileEvent.Action> = {
  created: Action.ACTION_CREATED,
  modified: Action.ACTION_MODIFIED,
  deleted: Action.ACTION_DELETED,
  attributes_changed: Action.ACTION_ATTRIBUTES_CHANGED,
  renamed: Action.ACTION_RENAMED,
};

/**
 * Maps a change to a FileEvent draft. Attributes (type, owner, group, mode, size, times, inode) describe the file
 * after the change; for a deletion they describe the file as the baseline last saw it, with no `hash` and the last
 * known hash in `previous_hash`. Event time is the file's ctime (when the kernel recorded the change) for
 * creations, modifications, renames and attribute changes, and `nowUs` for deletions, whose time is unknown.
 */
export function fileChangeToEvent(change: FileChange, names: IdNames, nowUs: number): EventDraft {
  const rec = change.current ?? change.previous;
  if (!rec) throw new RangeError(`change of ${change.path} has neither a previous nor a current record`);
  const file: IFileEvent = {
    action: ACTIONS[change.action],
    path: change.path,
    type: rec.type,
    owner: { id: String(rec.uid), name: names.userName(rec.uid) },
    group: { id: String(rec.gid), name: names.groupName(rec.gid) },
    mode: formatMode(rec.mode),
    size: rec.size,
    mtimeUnixUs: rec.mtimeUs,
    ctimeUnixUs: rec.ctimeUs,
    inode: rec.inode,
  };
  if (change.current?.sha256) file.hash = { sha256: change.current.sha256 };
  if (change.previous?.sha256) file.previousHash = { sha256: change.previous.sha256 };
  if (change.action === 'renamed' && change.previous) file.previousPath = change.previous.path;
  if (change.changedAttributes.length > 0) file.changedAttributes = [...change.changedAttributes];
  const time = change.action === 'deleted' ? nowUs : eventTime(rec, nowUs);
  return { sensor: FIM_SENSOR_NAME, timeUnixUs: time, observedTimeUnixUs: nowUs, file };
}

/** ctime when plausible (not in the future, not zero), else now. */
function eventTime(rec: FileRecord, nowUs: number): number {
  return rec.ctimeUs > 0 && rec.ctimeUs <= nowUs ? rec.ctimeUs : nowUs;
}

/** Figures of a finished baseline or rescan, for the summary LogEvent. */
export interface ScanSummary {
  kind: 'baseline' | 'restart_compare' | 'rescan';
  roots: readonly string[];
  files: number;
  directories: number;
  hashed: number;
  hashReused: number;
  bytesHashed: number;
  skippedLarge: number;
  errors: number;
  changes: number;
  durationMs: number;
  cpuMs: number;
  watches: number;
  unwatchedDirs: number;
  truncated: boolean;
}

/** One LogEvent that summarises a scan (source "fim", parser "fim"), fields under `fim.*`. */
export function scanSummaryToEvent(s: ScanSummary, nowUs: number): EventDraft {
  const message =
    `fim ${s.kind}: ${s.files} files, ${s.directories} directories in ${s.durationMs} ms ` +
    `(${s.hashed} hashed, ${s.hashReused} hashes reused, ${s.skippedLarge} over size limit, ${s.errors} errors), ` +
    `${s.changes} changes reported, ${s.watches} watches, ${s.unwatchedDirs} directories unwatched` +
    (s.truncated ? ', TRUNCATED at max_files' : '');
  return {
    sensor: FIM_SENSOR_NAME,
    timeUnixUs: nowUs,
    observedTimeUnixUs: nowUs,
    log: {
      original: message,
      message,
      source: FIM_SENSOR_NAME,
      program: 'inosec-agent',
      level: s.truncated || s.unwatchedDirs > 0 ? 'warn' : 'info',
      parser: FIM_SENSOR_NAME,
      fields: {
        'fim.scan': s.kind,
        'fim.roots': s.roots.join(','),
        'fim.files': String(s.files),
        'fim.directories': String(s.directories),
        'fim.hashed': String(s.hashed),
        'fim.hash_reused': String(s.hashReused),
        'fim.bytes_hashed': String(s.bytesHashed),
        'fim.skipped_large': String(s.skippedLarge),
        'fim.errors': String(s.errors),
        'fim.changes': String(s.changes),
        'fim.duration_ms': String(s.durationMs),
        'fim.cpu_ms': String(s.cpuMs),
        'fim.watches': String(s.watches),
        'fim.unwatched_dirs': String(s.unwatchedDirs),
        'fim.truncated': String(s.truncated),
      },
    },
  };
}
