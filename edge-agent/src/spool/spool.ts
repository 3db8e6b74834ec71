import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { GroupCommit } from './group-commit.js';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, frameRecords } from './spool-format.js';
import { SpoolClosedError, SpoolIoError, SpoolRecordTooLargeError } from './spool-errors.js';
import { lockSpoolDir } from './spool-lock.js';
import { resolveSpoolOptions, type ResolvedSpoolOptions, type SpoolOptions } from './spool-options.js';
import { writeQuarantine, type SpoolRecord } from './spool-quarantine.js';
import { recoverSpool } from './spool-recovery.js';
import { Segment, type SegmentCursor } from './spool-segment.js';
import { StateStore, syncDir, type SpoolStateData } from './spool-state.js';

/** Seqs reserved (persisted as handed out) ahead of use: one state write per this many appended records. */
const SEQ_RESERVATION = 100_000;
export const QUARANTINE_DIR = 'quarantine';

/** Figures for the heartbeat and `inosec-agent status`. Counters are cumulative over the spool's life. */
export interface SpoolStats {
  /** Bytes of segment files (headers included). */
  bytes: number;
  segments: number;
  /** Oldest seq still in the spool (lastSeq + 1 when it is empty). */
  firstSeq: number;
  /** Last seq assigned (0 before the first append ever). */
  lastSeq: number;
  ackedSeq: number;
  /** Records in the spool not yet acknowledged. */
  pending: number;
  /** Records lost without delivery: dropped by the bound, or lost to corruption / a host crash. */
  droppedRecords: number;
  /** Segments dropped by the bound while holding unacknowledged records. */
  droppedSegments: number;
  /** Truncations done at recovery (torn tails, corrupt records) and the bytes cut. */
  tornTails: number;
  tornBytes: number;
  /** Files moved aside to corrupt/ (bad header, unknown version, invalid state file). */
  corruptFiles: number;
  /** Records copied to quarantine/. */
  quarantined: number;
  /** Seqs never used because a host crash may have sent them before they were durable. */
  skippedSeqs: number;
}

interface Waiter {
  afterSeq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The agent's disk spool: an append-only log of records numbered by a per-agent seq, cut into segment
 * files, each record framed with its length, CRC32 and seq (see spool-format.ts). Appends are serialized;
 * reads, acks and quarantine may run concurrently with them. Data is readable as soon as it is written.
 * The seq grows by one per record, survives restarts and is never handed out twice.
 */
export class Spool {
  private readonly segments: Segment[];
  private active: Segment | undefined;
  private bytes: number;
  private nextSeq: number;
  private readonly commit: GroupCommit;
  private readonly store: StateStore;
  private appendChain: Promise<unknown> = Promise.resolve();
  private cursor: { segment: Segment; at: SegmentCursor } | undefined;
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: ResolvedSpoolOptions,
    private readonly log: Logger,
    private readonly state: SpoolStateData,
    segments: Segment[],
    private readonly unlock: () => Promise<void>,
  ) {
    this.segments = segments;
    this.nextSeq = state.nextSeq;
    this.bytes = segments.reduce((sum, segment) => sum + segment.size, 0);
    this.store = new StateStore(options.dir, () => ({ ...this.state, nextSeq: this.nextSeq }));
    this.commit = new GroupCommit(() => this.active?.sync() ?? Promise.resolve());
    const { fsync } = options;
    if (typeof fsync === 'object') {
      this.timer = setInterval(() => this.syncDirty(), fsync.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Opens (creating it if needed) the spool in `options.dir` and recovers it: torn tails are truncated,
   * corrupt files moved aside, losses counted; bad data never makes this throw (I/O errors on the
   * directory itself and a spool already open elsewhere do).
   */
  static async open(options: SpoolOptions): Promise<Spool> {
    const resolved = resolveSpoolOptions(options);
    const log = (options.logger ?? pino({ enabled: false })).child({ component: 'spool', dir: resolved.dir });
    await mkdir(resolved.dir, { recursive: true, mode: 0o700 });
    const unlock = await lockSpoolDir(resolved.dir);
    try {
      const recovered = await recoverSpool({
        dir: resolved.dir,
        maxRecordBytes: resolved.maxRecordBytes,
        corruptMaxBytes: resolved.quarantineMaxBytes,
        log,
      });
      const spool = new Spool(resolved, log, recovered.state, recovered.segments, unlock);
      // The reuse of the last segment for appends is not worth its edge cases: a new one starts at nextSeq.
      await spool.store.save();
      log.info(
        {
          nextSeq: spool.nextSeq,
          ackedSeq: recovered.state.ackedSeq,
          segments: recovered.segments.length,
          unclean: recovered.unclean,
        },
        'spool opened',
      );
      return spool;
    } catch (error) {
      await unlock();
      throw error instanceof SpoolIoError
        ? error
        : new SpoolIoError(`cannot open spool ${resolved.dir}`, { cause: error });
    }
  }

  /**
   * Assigns consecutive seqs to `items`, encodes each with its seq and appends them. Resolves once they
   * are written (and synced, with fsync 'always'). An encoded record over maxRecordBytes refuses the
   * whole batch (SpoolRecordTooLargeError) and uses no seq. After the append, the oldest segments are
   * dropped while the spool is over maxBytes.
   */
  async append<T>(
    items: readonly T[],
    encode: (item: T, seq: number) => Uint8Array,
  ): Promise<{ firstSeq: number; lastSeq: number }> {
    this.assertOpen();
    const run = this.appendChain.then(() => this.appendLocked(items, encode));
    this.appendChain = run.catch(() => undefined);
    const { firstSeq, lastSeq, generation } = await run;
    if (this.options.fsync === 'always' && generation > 0) await this.io(this.commit.waitFor(generation));
    return { firstSeq, lastSeq };
  }

  /**
   * Records with seq > afterSeq in seq order: at most maxRecords, payload bytes at most maxBytes (but
   * at least one record when any exists). Records lost to the bound are skipped: a jump in seq is a
   * counted loss. Consecutive reads continue from an in-memory cursor without any lookup.
   */
  async read(afterSeq: number, maxRecords: number, maxBytes: number): Promise<SpoolRecord[]> {
    this.assertOpen();
    const records: SpoolRecord[] = [];
    let bytes = 0;
    let from = afterSeq + 1;
    const touched: Segment[] = [];
    // The segment list may change while a read awaits (acks, the bound): look the segment up each time.
    for (
      let index = this.firstSegmentWith(from);
      index < this.segments.length;
      index = this.firstSegmentWith(from)
    ) {
      const segment = this.segments[index] as Segment;
      from = Math.max(from, segment.baseSeq);
      const cursor = this.cursor?.segment === segment ? this.cursor.at : undefined;
      const budget = maxBytes - bytes;
      let result;
      try {
        const { maxRecordBytes } = this.options;
        const takeOne = records.length === 0;
        result = await segment.read(
          from,
          maxRecords - records.length,
          budget,
          maxRecordBytes,
          takeOne,
          cursor,
        );
      } catch (error) {
        if (segment.isRemoved) continue; // dropped by the bound or acked while we read it
        throw new SpoolIoError(`cannot read spool segment ${segment.path}`, { cause: error });
      }
      touched.push(segment);
      for (const record of result.records) records.push({ seq: record.seq, payload: record.payload });
      bytes += result.bytes;
      this.cursor = { segment, at: result.next };
      if (result.invalid !== undefined) await this.cutCorrupt(segment, result.next, result.invalid);
      else if (result.records.length === 0 && result.next.seq <= from)
        break; // no progress: nothing to read
      else if (result.next.seq <= segment.lastSeq && records.length > 0) break; // budget reached inside this segment
      from = Math.max(from, result.next.seq);
      if (records.length >= maxRecords || (records.length > 0 && bytes >= maxBytes)) break;
    }
    for (const segment of touched) {
      if (segment !== this.active && segment !== this.cursor?.segment) await segment.release();
    }
    return records;
  }

  /** Resolves when a record with seq > afterSeq exists; rejects with the signal's reason or when closed. */
  waitForData(afterSeq: number, signal?: AbortSignal): Promise<void> {
    if (this.nextSeq - 1 > afterSeq) return Promise.resolve();
    if (this.closing) return Promise.reject(new SpoolClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        afterSeq,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * Everything <= seq was delivered: persists ackedSeq durably, then deletes the segments it covers
   * entirely (never the active one). An ack beyond the last seq is clamped to it; an old ack is a no-op.
   */
  async ack(seq: number): Promise<void> {
    this.assertOpen();
    const lastSeq = this.nextSeq - 1;
    if (seq > lastSeq) {
      this.log.warn({ seq, lastSeq }, 'spool ack beyond the last seq; clamped');
      seq = lastSeq;
    }
    if (seq <= this.state.ackedSeq) return;
    this.state.ackedSeq = seq;
    await this.io(this.store.save());
    await this.deleteAcked();
  }

  /**
   * A batch the collector rejected for good: copies its records to dir/quarantine/ (fsynced, bounded by
   * quarantineMaxBytes, oldest entries dropped) and counts them. The caller then acks the batch.
   */
  async quarantine(records: readonly SpoolRecord[], reason: string): Promise<void> {
    this.assertOpen();
    if (records.length === 0) return;
    const dir = path.join(this.options.dir, QUARANTINE_DIR);
    const pruned = await this.io(writeQuarantine(dir, records, reason, this.options.quarantineMaxBytes));
    this.state.quarantined += records.length;
    this.log.warn(
      {
        firstSeq: records[0]?.seq,
        lastSeq: records[records.length - 1]?.seq,
        records: records.length,
        reason,
        pruned,
      },
      'spool batch quarantined',
    );
    await this.io(this.store.save());
  }

  stats(): SpoolStats {
    const lastSeq = this.nextSeq - 1;
    const { ackedSeq } = this.state;
    let pending = 0;
    for (const segment of this.segments)
      pending += Math.max(0, segment.lastSeq - Math.max(segment.baseSeq - 1, ackedSeq));
    const first = this.segments.find((segment) => segment.records > 0);
    return {
      bytes: this.bytes,
      segments: this.segments.length,
      firstSeq: first ? first.baseSeq : lastSeq + 1,
      lastSeq,
      ackedSeq,
      pending,
      droppedRecords: this.state.droppedRecords,
      droppedSegments: this.state.droppedSegments,
      tornTails: this.state.tornTails,
      tornBytes: this.state.tornBytes,
      corruptFiles: this.state.corruptFiles,
      quarantined: this.state.quarantined,
      skippedSeqs: this.state.skippedSeqs,
    };
  }

  /** Waits for appends in flight, fsyncs, records a clean close and closes every file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    clearInterval(this.timer);
    for (const waiter of this.waiters) waiter.reject(new SpoolClosedError());
    this.waiters.clear();
    await this.appendChain;
    try {
      await this.commit.flush();
      this.state.clean = true;
      await this.store.save();
    } finally {
      for (const segment of this.segments) await segment.retire();
      await this.unlock();
    }
  }

  private async appendLocked<T>(
    items: readonly T[],
    encode: (item: T, seq: number) => Uint8Array,
  ): Promise<{ firstSeq: number; lastSeq: number; generation: number }> {
    const firstSeq = this.nextSeq;
    if (items.length === 0) return { firstSeq, lastSeq: firstSeq - 1, generation: 0 };
    const payloads = items.map((item, index) => encode(item, firstSeq + index));
    const { maxRecordBytes, segmentBytes } = this.options;
    payloads.forEach((payload, index) => {
      if (payload.length > maxRecordBytes)
        throw new SpoolRecordTooLargeError(index, payload.length, maxRecordBytes);
    });
    const lastSeq = firstSeq + payloads.length - 1;
    if (lastSeq > this.state.reservedSeq) {
      // Persist the reservation before any of these seqs can be written and read by the transport.
      this.state.reservedSeq = lastSeq + SEQ_RESERVATION;
      await this.io(this.store.save());
    }
    let generation = 0;
    for (let start = 0; start < payloads.length;) {
      const first = (payloads[start] as Uint8Array).length + RECORD_HEADER_BYTES;
      const segment = await this.segmentFor(first);
      let end = start + 1;
      let size = segment.size + first;
      for (; end < payloads.length; end++) {
        const next = (payloads[end] as Uint8Array).length + RECORD_HEADER_BYTES;
        if (size + next > segmentBytes) break;
        size += next;
      }
      const frame = frameRecords(payloads.slice(start, end), firstSeq + start);
      await this.io(segment.append(frame, firstSeq + start, end - start));
      this.bytes += frame.length;
      this.nextSeq = firstSeq + end;
      generation = this.commit.wrote();
      this.notifyWaiters();
      start = end;
    }
    await this.enforceBound();
    return { firstSeq, lastSeq, generation };
  }

  /** The segment the next record (of `recordBytes`) goes to, rolling over when it would not fit. */
  private async segmentFor(recordBytes: number): Promise<Segment> {
    const active = this.active;
    if (active && (active.records === 0 || active.size + recordBytes <= this.options.segmentBytes))
      return active;
    const durable = this.options.fsync !== 'never';
    if (active) {
      if (durable) await this.io(this.commit.flush());
      this.active = undefined;
      if (active !== this.cursor?.segment) await active.release();
    }
    const segment = await this.io(Segment.create(this.options.dir, this.nextSeq));
    if (durable) await this.io(syncDir(this.options.dir));
    this.segments.push(segment);
    this.active = segment;
    this.bytes += SEGMENT_HEADER_BYTES;
    await this.deleteAcked();
    return segment;
  }

  /** Drops the oldest segments (never the active one) while the spool is over maxBytes. */
  private async enforceBound(): Promise<void> {
    const dropped: Segment[] = [];
    while (
      this.bytes > this.options.maxBytes &&
      this.segments.length > 1 &&
      this.segments[0] !== this.active
    ) {
      const segment = this.segments.shift() as Segment;
      this.bytes -= segment.size;
      const unacked = Math.max(0, segment.lastSeq - Math.max(segment.baseSeq - 1, this.state.ackedSeq));
      if (unacked > 0) {
        this.state.droppedRecords += unacked;
        this.state.droppedSegments++;
      }
      this.log.warn(
        {
          file: segment.path,
          firstSeq: segment.baseSeq,
          lastSeq: segment.lastSeq,
          unacked,
          maxBytes: this.options.maxBytes,
        },
        'spool over its bound: oldest segment dropped',
      );
      dropped.push(segment);
    }
    if (dropped.length === 0) return;
    for (const segment of dropped)
      await segment.remove().catch((error: unknown) => this.logRemoveFailure(segment, error));
    await this.store
      .save()
      .catch((error: unknown) => this.log.error({ err: error }, 'spool state write failed'));
  }

  private async deleteAcked(): Promise<void> {
    const acked: Segment[] = [];
    while (this.segments.length > 0) {
      const segment = this.segments[0] as Segment;
      if (segment === this.active || segment.lastSeq > this.state.ackedSeq) break;
      this.segments.shift();
      this.bytes -= segment.size;
      acked.push(segment);
    }
    for (const segment of acked)
      await segment.remove().catch((error: unknown) => this.logRemoveFailure(segment, error));
  }

  /** A record read back failed its checks (the file changed under the spool): cut the segment there. */
  private async cutCorrupt(segment: Segment, at: SegmentCursor, reason: string): Promise<void> {
    const run = this.appendChain.then(async () => {
      if (segment.isRemoved || segment.lastSeq < at.seq) return;
      if (segment === this.active) this.active = undefined; // appends continue in a new segment
      const lost = segment.lastSeq - Math.max(at.seq - 1, this.state.ackedSeq);
      this.state.droppedRecords += Math.max(0, lost);
      const cutBytes = await segment.cut(at);
      this.bytes -= cutBytes;
      this.state.tornTails++;
      this.state.tornBytes += cutBytes;
      this.log.warn(
        { file: segment.path, offset: at.offset, seq: at.seq, lost, reason },
        'spool record corrupt on read; segment cut',
      );
      await this.store.save();
    });
    this.appendChain = run.catch((error: unknown) => this.log.error({ err: error }, 'spool cut failed'));
    await this.appendChain;
  }

  private notifyWaiters(): void {
    const lastSeq = this.nextSeq - 1;
    for (const waiter of this.waiters) {
      if (waiter.afterSeq < lastSeq) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Index of the first segment whose last seq is >= seq (binary search; segments are in seq order). */
  private firstSegmentWith(seq: number): number {
    let low = 0;
    let high = this.segments.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.segments[middle] as Segment).lastSeq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private syncDirty(): void {
    if (!this.commit.dirty) return;
    this.commit.flush().catch((error: unknown) => this.log.error({ err: error }, 'spool fsync failed'));
  }

  private logRemoveFailure(segment: Segment, error: unknown): void {
    this.log.warn({ file: segment.path, err: error }, 'spool segment could not be deleted');
  }

  private assertOpen(): void {
    if (this.closing) throw new SpoolClosedError();
  }

  /** Wraps I/O failures in SpoolIoError (other spool errors pass through). */
  private async io<R>(promise: Promise<R>): Promise<R> {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof SpoolClosedError || error instanceof SpoolIoError) throw error;
      throw new SpoolIoError(`spool I/O failed in ${this.options.dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
