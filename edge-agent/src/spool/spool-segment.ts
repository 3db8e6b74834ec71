import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  encodeSegmentHeader,
  parseRecord,
  segmentFileName,
  type ParsedRecord,
} from './spool-format.js';

/** Every CHECKPOINT_EVERY-th record's offset is kept in memory, so a read at any seq skips < 64 records. */
const CHECKPOINT_EVERY = 64;
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 4 * 1024 * 1024;

/** Where a read stopped: the next record to read in a segment. */
export interface SegmentCursor {
  seq: number;
  offset: number;
}

export interface SegmentReadResult {
  records: ParsedRecord[];
  /** Payload bytes returned. */
  bytes: number;
  /** Position after the last record returned. */
  next: SegmentCursor;
  /** Set when an invalid record was met at `next` (data changed on disk under the spool). */
  invalid?: string;
}

export interface SegmentScanResult {
  /** End of the valid data (file offset). */
  validEnd: number;
  /** File length found. */
  fileBytes: number;
  /** Why the valid data ends before the file does (undefined when the whole file is valid). */
  invalid?: string;
}

/**
 * One segment file: its seq range, size and an open handle used for positional writes (the active
 * segment) and reads. Handles of segments being read are pinned so that a deletion never closes a handle
 * under a read; the close happens when the last reader leaves.
 */
export class Segment {
  /** Last seq written to the segment (baseSeq - 1 while empty). */
  lastSeq: number;
  /** Bytes of valid data, header included: where the next record is written. */
  size = SEGMENT_HEADER_BYTES;
  readonly path: string;
  private checkpoints: number[] = [];
  private handle: FileHandle | undefined;
  private opening: Promise<FileHandle> | undefined;
  private pins = 0;
  private removed = false;
  private retired = false;

  constructor(
    dir: string,
    readonly baseSeq: number,
  ) {
    this.path = path.join(dir, segmentFileName(baseSeq));
    this.lastSeq = baseSeq - 1;
  }

  /** Creates the file with its header (fails if it exists). The caller fsyncs the directory if it must. */
  static async create(dir: string, baseSeq: number): Promise<Segment> {
    const segment = new Segment(dir, baseSeq);
    const handle = await open(segment.path, 'wx+', 0o600);
    segment.handle = handle;
    try {
      await writeFully(handle, encodeSegmentHeader(baseSeq), 0);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(segment.path).catch(() => undefined);
      throw error;
    }
    return segment;
  }

  get records(): number {
    return this.lastSeq - this.baseSeq + 1;
  }

  get isRemoved(): boolean {
    return this.removed;
  }

  /**
   * Validates the records after the header up to the first invalid one, building the checkpoint index.
   * The header must have been checked already. Leaves the file untouched.
   */
  async scan(maxRecordBytes: number): Promise<SegmentScanResult> {
    const handle = await this.pin();
    try {
      const fileBytes = (await handle.stat()).size;
      let pos = SEGMENT_HEADER_BYTES;
      let seq = this.baseSeq;
      let chunk = MAX_CHUNK;
      this.checkpoints = [];
      while (pos < fileBytes) {
        const buffer = await readAt(handle, pos, Math.min(chunk, fileBytes - pos));
        let offset = 0;
        let invalid: string | undefined;
        while (offset < buffer.length) {
          const parsed = parseRecord(buffer, offset, seq, maxRecordBytes);
          if (parsed.kind === 'invalid') {
            invalid = parsed.reason;
            break;
          }
          if (parsed.kind === 'partial') {
            if (pos + offset + parsed.needed > fileBytes) invalid = 'record runs past the end of the file';
            else if (offset === 0) chunk = parsed.needed;
            break;
          }
          if ((seq - this.baseSeq) % CHECKPOINT_EVERY === 0) this.checkpoints.push(pos + offset);
          offset += parsed.record.size;
          seq++;
        }
        pos += offset;
        if (invalid !== undefined) {
          this.setEnd(pos, seq - 1);
          return { validEnd: pos, fileBytes, invalid };
        }
        chunk = Math.max(chunk, MAX_CHUNK);
      }
      this.setEnd(pos, seq - 1);
      return { validEnd: pos, fileBytes };
    } finally {
      this.unpin();
    }
  }

  /** Truncates the file to its valid data and fsyncs it (recovery). */
  async truncateToValid(): Promise<void> {
    const handle = await this.pin();
    try {
      await handle.truncate(this.size);
      await handle.datasync();
    } finally {
      this.unpin();
    }
  }

  /** Appends framed records (`count` records starting at `firstSeq`) at the end of the valid data. */
  async append(frame: Buffer, firstSeq: number, count: number): Promise<void> {
    const handle = await this.pin();
    try {
      await writeFully(handle, frame, this.size);
    } catch (error) {
      // Drop whatever part of the frame reached the file, so the next append continues a valid segment.
      await handle.truncate(this.size).catch(() => undefined);
      throw error;
    } finally {
      this.unpin();
    }
    let offset = 0;
    for (let i = 0; i < count; i++) {
      if ((firstSeq + i - this.baseSeq) % CHECKPOINT_EVERY === 0) this.checkpoints.push(this.size + offset);
      offset += RECORD_HEADER_BYTES + frame.readUInt32LE(offset);
    }
    this.size += frame.length;
    this.lastSeq = firstSeq + count - 1;
  }

  /** fdatasync of the segment's data (no-op once removed). */
  async sync(): Promise<void> {
    if (this.removed) return;
    const handle = await this.pin();
    try {
      await handle.datasync();
    } finally {
      this.unpin();
    }
  }

  /**
   * Reads records with seq >= fromSeq (at most maxRecords; payload bytes at most maxBytes unless
   * `takeOne` and the first record alone is bigger). `cursor` is where the previous read of this segment stopped: when it
   * points at fromSeq, the read continues there without any index lookup.
   */
  async read(
    fromSeq: number,
    maxRecords: number,
    maxBytes: number,
    maxRecordBytes: number,
    takeOne: boolean,
    cursor?: SegmentCursor,
  ): Promise<SegmentReadResult> {
    const end = this.size;
    const last = this.lastSeq;
    let seq: number;
    let pos: number;
    if (cursor && cursor.seq === fromSeq) ({ seq, offset: pos } = cursor);
    else {
      const wanted = Math.floor((fromSeq - this.baseSeq) / CHECKPOINT_EVERY);
      const index = Math.max(0, Math.min(wanted, this.checkpoints.length - 1));
      seq = this.baseSeq + index * CHECKPOINT_EVERY;
      pos = this.checkpoints[index] ?? SEGMENT_HEADER_BYTES;
    }
    const records: ParsedRecord[] = [];
    let bytes = 0;
    // Read about what the budget needs (records of this segment's average size, plus the records skipped
    // from a checkpoint), not more: the rest of a chunk would be read again by the next call.
    const average =
      this.records > 0 ? (this.size - SEGMENT_HEADER_BYTES) / this.records : RECORD_HEADER_BYTES;
    const skipped = fromSeq - seq;
    const expected =
      Math.min(maxBytes + RECORD_HEADER_BYTES * maxRecords, maxRecords * average) + skipped * average;
    let chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(expected * 1.05)));
    const handle = await this.pin();
    try {
      for (;;) {
        if (seq > last || pos >= end || records.length >= maxRecords)
          return { records, bytes, next: { seq, offset: pos } };
        const buffer = await readAt(handle, pos, Math.min(chunk, end - pos));
        let offset = 0;
        while (offset < buffer.length && seq <= last) {
          const parsed = parseRecord(buffer, offset, seq, maxRecordBytes);
          if (
            parsed.kind === 'invalid' ||
            (parsed.kind === 'partial' && pos + offset + parsed.needed > end)
          ) {
            const invalid =
              parsed.kind === 'invalid' ? parsed.reason : 'record runs past the end of the data';
            return { records, bytes, next: { seq, offset: pos + offset }, invalid };
          }
          if (parsed.kind === 'partial') {
            if (offset === 0) chunk = parsed.needed;
            break;
          }
          const { record } = parsed;
          if (seq >= fromSeq) {
            const fits = bytes + record.payload.length <= maxBytes || (takeOne && records.length === 0);
            const full = records.length >= maxRecords || !fits;
            if (full) return { records, bytes, next: { seq, offset: pos + offset } };
            records.push(record);
            bytes += record.payload.length;
          }
          offset += record.size;
          seq++;
        }
        pos += offset;
      }
    } finally {
      this.unpin();
    }
  }

  /**
   * Cuts the segment at `at` (a record found invalid while reading: the file changed under the spool):
   * the file is truncated there and the records from `at.seq` on are gone. Returns the bytes cut.
   */
  async cut(at: SegmentCursor): Promise<number> {
    const cutBytes = this.size - at.offset;
    this.setEnd(at.offset, at.seq - 1);
    this.checkpoints = this.checkpoints.filter((offset) => offset < at.offset);
    const handle = await this.pin();
    try {
      await handle.truncate(at.offset);
      await handle.datasync();
    } finally {
      this.unpin();
    }
    return cutBytes;
  }

  /** Closes the handle now if idle, else when the last reader leaves (spool closing). */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.pins === 0) await this.closeHandle();
  }

  /** Deletes the file; the handle closes when the last reader leaves. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    try {
      await unlink(this.path);
    } finally {
      if (this.pins === 0) await this.closeHandle();
    }
  }

  /** Closes the handle if no read is using it (it reopens on demand). */
  async release(): Promise<void> {
    if (this.pins === 0) await this.closeHandle();
  }

  private setEnd(size: number, lastSeq: number): void {
    this.size = size;
    this.lastSeq = lastSeq;
  }

  private async pin(): Promise<FileHandle> {
    this.pins++;
    try {
      if (this.handle) return this.handle;
      this.opening ??= open(this.path, 'r+');
      const handle = await this.opening;
      this.handle = handle;
      return handle;
    } catch (error) {
      this.pins--;
      this.opening = undefined;
      throw error;
    } finally {
      this.opening = undefined;
    }
  }

  private unpin(): void {
    this.pins--;
    if (this.pins === 0 && (this.removed || this.retired)) void this.closeHandle();
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await handle.close().catch(() => undefined);
  }
}

async function writeFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written, position + written);
    written += bytesWritten;
  }
}

/** Reads `length` bytes at `position`; a shorter buffer comes back if the file ends first. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await handle.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return read === length ? buffer : buffer.subarray(0, read);
}
