import { encodeEventBatchBytes, eventFieldBytes, type IHost } from '@inosec/protos';
import type { BatchLimits, SpooledRecord, SpoolSource } from './transport-types.js';

/**
 * A batch read from the spool and sent, waiting for its answer: its framed bytes only. The records are not
 * kept (a window of batches would keep tens of thousands of small objects alive, which the garbage
 * collector then copies and promotes); recordsOf() reads them again for the rare batch refused for good.
 */
export interface InFlightBatch {
  batchId: string;
  firstSeq: number;
  lastSeq: number;
  /** Events in the batch. */
  events: number;
  bytes: Uint8Array;
  settled: boolean;
}

const HEADER_ALLOWANCE = 512;

/**
 * The agent's side of in-order delivery, shared by both transports: reads the next batch from the spool
 * (bounded by events and bytes), keeps batches in flight in send order, and acknowledges the spool up to the
 * last batch of the contiguous settled prefix. A batch is settled when the collector stored it, or refused
 * it for good (after it was quarantined). Anything not settled is read again from the spool after a
 * reconnect: the collector deduplicates.
 */
export class BatchWindow {
  private readonly inFlight: InFlightBatch[] = [];
  /** Highest seq read from the spool and sent. */
  private sentSeq: number;
  private acking: Promise<void> = Promise.resolve();

  constructor(
    private readonly agentId: string,
    private readonly spool: SpoolSource,
    private readonly host: IHost,
    private readonly limits: BatchLimits,
  ) {
    this.sentSeq = spool.stats().ackedSeq;
  }

  get size(): number {
    return this.inFlight.length;
  }

  get full(): boolean {
    return this.inFlight.length >= this.limits.window;
  }

  get nextAfter(): number {
    return this.sentSeq;
  }

  /** The spooled records of a batch in flight (they stay in the spool until the batch is settled). */
  recordsOf(batch: InFlightBatch): Promise<SpooledRecord[]> {
    return this.spool.read(batch.firstSeq - 1, batch.events, Number.MAX_SAFE_INTEGER);
  }

  /** Forgets the batches in flight: after a reconnect, sending resumes after the spool's acked seq. */
  reset(): void {
    this.inFlight.length = 0;
    this.sentSeq = this.spool.stats().ackedSeq;
  }

  /** Reads and frames the next batch after what was sent; undefined when the spool has nothing newer. */
  async next(): Promise<InFlightBatch | undefined> {
    const records = await this.spool.read(
      this.sentSeq,
      this.limits.maxEvents,
      this.limits.maxBytes - HEADER_ALLOWANCE,
    );
    if (records.length === 0) return undefined;
    // Bound by the framed size: the spool counts payload bytes only.
    let bytes = HEADER_ALLOWANCE;
    let count = 0;
    for (const record of records) {
      bytes += eventFieldBytes(record.payload.byteLength);
      if (count > 0 && bytes > this.limits.maxBytes) break;
      count++;
    }
    const batchRecords = records.slice(0, count);
    const firstSeq = batchRecords[0]?.seq as number;
    const lastSeq = batchRecords.at(-1)?.seq as number;
    const batch: InFlightBatch = {
      batchId: `${this.agentId}:${firstSeq}`,
      firstSeq,
      lastSeq,
      events: batchRecords.length,
      bytes: encodeEventBatchBytes(
        {
          agentId: this.agentId,
          batchId: `${this.agentId}:${firstSeq}`,
          firstSeq,
          sentTimeUnixUs: Date.now() * 1000,
          host: this.host,
        },
        batchRecords.map((r) => r.payload),
      ),
      settled: false,
    };
    this.inFlight.push(batch);
    this.sentSeq = lastSeq;
    return batch;
  }

  /** The oldest batch not yet answered (acks arrive in send order on a gRPC stream). */
  oldestUnanswered(): InFlightBatch | undefined {
    return this.inFlight.find((b) => !b.settled);
  }

  /**
   * Marks a batch settled and acknowledges the spool up to the end of the contiguous settled prefix.
   * Returns the seq the spool was acknowledged to, or undefined when it did not move.
   */
  async settle(batch: InFlightBatch): Promise<number | undefined> {
    batch.settled = true;
    let acked: number | undefined;
    while (this.inFlight[0]?.settled) acked = (this.inFlight.shift() as InFlightBatch).lastSeq;
    if (acked === undefined) return undefined;
    const seq = acked;
    // Spool acks go out one at a time, in increasing order, whatever the callers' interleaving.
    const done = this.acking.then(() => this.spool.ack(seq));
    this.acking = done.catch(() => undefined);
    await done;
    return seq;
  }
}
