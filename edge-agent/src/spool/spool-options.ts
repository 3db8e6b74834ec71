import type { Logger } from 'pino';
import { SpoolOptionsError } from './spool-errors.js';

/**
 * When appended data is fdatasync'ed:
 * - `'always'`: `append` resolves only after its records are synced (group commit: appends that arrive
 *   while a sync runs share the next one);
 * - `'never'`: only at segment close (`close()`): fastest, a host crash may lose recent records;
 * - `{ intervalMs }`: a timer syncs dirty data every intervalMs, and a full segment is synced before
 *   the next one starts; a host crash may lose up to intervalMs of records (a process crash loses none).
 */
export type FsyncPolicy = 'always' | 'never' | { intervalMs: number };

export interface SpoolOptions {
  /** Directory of the spool (created, mode 0700). One spool per directory, one process at a time. */
  dir: string;
  /** Bound of the segment files; past it the oldest segments are dropped (and counted). */
  maxBytes: number;
  /** Size at which a segment is closed and a new one started. Default min(16 MiB, maxBytes / 8), at least 64 KiB. */
  segmentBytes?: number;
  /** Default `{ intervalMs: 1000 }`. */
  fsync?: FsyncPolicy;
  /** Largest payload accepted (default 1 MiB); bigger records are refused by `append`. */
  maxRecordBytes?: number;
  /** Bound of dir/quarantine/ and of dir/corrupt/ each. Default min(64 MiB, maxBytes / 8), at least 1 MiB. */
  quarantineMaxBytes?: number;
  /** Warnings (torn tails, drops, corruption) go here; silent when absent. */
  logger?: Logger;
}

export interface ResolvedSpoolOptions {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  fsync: FsyncPolicy;
  maxRecordBytes: number;
  quarantineMaxBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const MAX_U32 = 0xffff_ffff;

/** Applies defaults and checks the options; throws SpoolOptionsError naming the bad one. */
export function resolveSpoolOptions(options: SpoolOptions): ResolvedSpoolOptions {
  const { dir, maxBytes } = options;
  if (typeof dir !== 'string' || dir.length === 0)
    throw new SpoolOptionsError('dir must be a non-empty path');
  positive('maxBytes', maxBytes);
  const segmentBytes =
    options.segmentBytes ?? Math.max(64 * KiB, Math.min(16 * MiB, Math.floor(maxBytes / 8)));
  positive('segmentBytes', segmentBytes);
  if (segmentBytes < 64 * KiB) throw new SpoolOptionsError('segmentBytes must be at least 64 KiB');
  const maxRecordBytes = options.maxRecordBytes ?? MiB;
  positive('maxRecordBytes', maxRecordBytes);
  if (maxRecordBytes > MAX_U32 - 16) throw new SpoolOptionsError('maxRecordBytes must fit in 32 bits');
  const fsync = options.fsync ?? { intervalMs: 1000 };
  if (typeof fsync === 'object') positive('fsync.intervalMs', fsync.intervalMs);
  else if (fsync !== 'always' && fsync !== 'never') {
    throw new SpoolOptionsError(`fsync must be 'always', 'never' or { intervalMs }`);
  }
  const quarantineMaxBytes =
    options.quarantineMaxBytes ?? Math.max(MiB, Math.min(64 * MiB, Math.floor(maxBytes / 8)));
  positive('quarantineMaxBytes', quarantineMaxBytes);
  return { dir, maxBytes, segmentBytes, fsync, maxRecordBytes, quarantineMaxBytes };
}

function positive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SpoolOptionsError(`${name} must be a positive integer, got ${String(value)}`);
  }
}
