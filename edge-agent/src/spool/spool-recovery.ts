import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  encodeSegmentHeader,
  parseSegmentFileName,
} from './spool-format.js';
import { pruneOldest } from './spool-quarantine.js';
import { Segment } from './spool-segment.js';
import {
  STATE_FILE,
  currentBootId,
  initialState,
  readStateFile,
  type SpoolStateData,
} from './spool-state.js';

export const CORRUPT_DIR = 'corrupt';

export interface RecoveryOptions {
  dir: string;
  maxRecordBytes: number;
  /** Bound of the corrupt/ directory (files moved aside). */
  corruptMaxBytes: number;
  log: Logger;
}

export interface RecoveryResult {
  /** The state to persist (clean = false) before the spool is used. */
  state: SpoolStateData;
  /** Segments with valid data, in seq order; their records are consecutive within each one. */
  segments: Segment[];
  /** The first seq to assign. */
  nextSeq: number;
  /** The previous run did not close cleanly. */
  unclean: boolean;
}

/**
 * Opens a spool directory: reads the state file, validates every segment up to its first invalid record
 * and truncates there (torn tail), moves files with a bad header aside to corrupt/, counts what was lost
 * and derives the next seq so that no seq is ever handed out twice. Never throws on bad data, only on
 * I/O errors of the directory itself.
 */
export async function recoverSpool(options: RecoveryOptions): Promise<RecoveryResult> {
  const { dir, log } = options;
  const bootId = currentBootId();
  const read = await readStateFile(dir);
  let state: SpoolStateData;
  let unclean: boolean;
  if (read.kind === 'ok') {
    state = { ...read.state };
    unclean = !state.clean;
  } else {
    state = initialState(bootId);
    unclean = read.kind === 'invalid';
    if (read.kind === 'invalid') {
      log.warn(
        { file: path.join(dir, STATE_FILE), reason: read.reason },
        'spool state file invalid; moved aside',
      );
      await moveAside(dir, STATE_FILE);
      state.corruptFiles++;
    }
  }
  const hostCrashed = unclean && (bootId === '' || bootId !== state.bootId);

  const names = (await readdir(dir)).flatMap((name) => {
    const baseSeq = parseSegmentFileName(name);
    return baseSeq === undefined ? [] : [{ name, baseSeq }];
  });
  names.sort((a, b) => a.baseSeq - b.baseSeq);

  const kept: Segment[] = [];
  /** Highest seq that is on disk or whose loss was counted. */
  let through = 0;
  const countLost = (from: number, to: number): void => {
    const lost = to - Math.max(from - 1, state.ackedSeq, through);
    if (lost > 0) state.droppedRecords += lost;
    through = Math.max(through, to);
  };

  for (let i = 0; i < names.length; i++) {
    const { name, baseSeq } = names[i] as { name: string; baseSeq: number };
    const nextBase = names[i + 1]?.baseSeq;
    const isLast = nextBase === undefined;
    const file = path.join(dir, name);
    const header = await readHeader(file);
    const check = checkSegmentHeader(header.bytes, baseSeq);
    if (!check.ok) {
      const expected = encodeSegmentHeader(baseSeq);
      if (
        isLast &&
        header.fileBytes < SEGMENT_HEADER_BYTES &&
        expected.subarray(0, header.fileBytes).equals(header.bytes)
      ) {
        // Crashed while creating the segment: nothing in it was ever written.
        log.warn(
          { file, offset: 0, bytes: header.fileBytes },
          'spool segment torn inside its header; removed',
        );
        await unlink(file);
        state.tornTails++;
        state.tornBytes += header.fileBytes;
        continue;
      }
      log.warn({ file, reason: check.detail }, 'spool segment with a bad header; moved aside to corrupt/');
      await moveAside(dir, name);
      state.corruptFiles++;
      if (!isLast) countLost(baseSeq, nextBase - 1);
      continue;
    }
    if (baseSeq <= through) {
      log.warn(
        { file, baseSeq, through },
        'spool segment overlaps the previous one; moved aside to corrupt/',
      );
      await moveAside(dir, name);
      state.corruptFiles++;
      continue;
    }
    const segment = new Segment(dir, baseSeq);
    const scan = await segment.scan(options.maxRecordBytes);
    if (scan.invalid !== undefined || scan.validEnd < scan.fileBytes) {
      const reason = scan.invalid ?? 'trailing bytes';
      log.warn(
        {
          file,
          offset: scan.validEnd,
          bytes: scan.fileBytes - scan.validEnd,
          reason,
          lastSeq: segment.lastSeq,
        },
        isLast
          ? 'spool segment has a torn tail; truncated'
          : 'spool segment corrupt in the middle of the spool; truncated',
      );
      await segment.truncateToValid();
      state.tornTails++;
      state.tornBytes += scan.fileBytes - scan.validEnd;
      // The rest of a middle segment ran up to the next segment's first seq: those records are lost.
      if (!isLast) countLost(segment.lastSeq + 1, nextBase - 1);
    } else if (unclean) {
      // Its data may have been only in the page cache of a process that died: make it durable now,
      // before any of it can be handed out (again).
      await segment.sync();
    }
    through = Math.max(through, segment.lastSeq);
    if (segment.records === 0 || segment.lastSeq <= state.ackedSeq) {
      await segment.remove();
      continue;
    }
    await segment.release();
    kept.push(segment);
  }

  // Records the state proves existed (its nextSeq floor) but that no segment holds any more.
  // (lossCheckedSeq: a tail gap counted by an earlier recovery is not counted again.)
  const tailFrom = Math.max(through, state.lossCheckedSeq) + 1;
  const tailTo = state.nextSeq - 1;
  if (tailTo >= tailFrom) {
    log.warn(
      { from: tailFrom, to: tailTo },
      'spool records recorded in the state file are missing from the segments',
    );
    countLost(tailFrom, tailTo);
    state.lossCheckedSeq = tailTo;
  }

  let nextSeq = Math.max(state.nextSeq, state.ackedSeq + 1, through + 1);
  if (hostCrashed && state.reservedSeq + 1 > nextSeq) {
    // Seqs up to reservedSeq may have been sent before they reached the disk: never hand them out again.
    state.skippedSeqs += state.reservedSeq + 1 - nextSeq;
    log.warn(
      { from: nextSeq, to: state.reservedSeq },
      'host crashed with the spool open: skipping reserved seqs',
    );
    nextSeq = state.reservedSeq + 1;
  }
  state.nextSeq = nextSeq;
  state.reservedSeq = Math.max(state.reservedSeq, nextSeq - 1);
  state.clean = false;
  state.bootId = bootId;
  await pruneOldest(path.join(dir, CORRUPT_DIR), options.corruptMaxBytes).catch(() => 0);
  return { state, segments: kept, nextSeq, unclean };
}

async function readHeader(file: string): Promise<{ bytes: Buffer; fileBytes: number }> {
  const handle = await open(file, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    const bytes = Buffer.alloc(Math.min(SEGMENT_HEADER_BYTES, fileBytes));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return { bytes: bytes.subarray(0, bytesRead), fileBytes };
  } finally {
    await handle.close();
  }
}

async function moveAside(dir: string, name: string): Promise<void> {
  const corrupt = path.join(dir, CORRUPT_DIR);
  await mkdir(corrupt, { recursive: true, mode: 0o700 });
  await rename(path.join(dir, name), path.join(corrupt, `${String(Date.now()).padStart(15, '0')}-${name}`));
}
