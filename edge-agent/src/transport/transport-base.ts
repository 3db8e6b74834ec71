import type { SpoolSource, Transport, TransportStatus } from './transport-types.js';

/**
 * What both transports share: the status they report, one drain loop per transport, and stopping it. A
 * subclass implements `loop()`, which must return once `abort` is aborted.
 */
export abstract class TransportBase implements Transport {
  protected readonly abort = new AbortController();
  protected readonly state: TransportStatus;
  private running: Promise<void> | undefined;

  protected constructor(kind: TransportStatus['kind'], spool: SpoolSource) {
    this.state = {
      kind,
      connected: false,
      lastAckedSeq: spool.stats().ackedSeq,
      batchesSent: 0,
      batchesRejected: 0,
      eventsRejected: 0,
      retries: 0,
      reconnects: 0,
    };
  }

  status(): TransportStatus {
    return { ...this.state };
  }

  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** Records that the spool was acknowledged up to `seq`. */
  protected acknowledged(seq: number | undefined): void {
    if (seq === undefined) return;
    this.state.lastAckedSeq = seq;
    this.state.lastAckAt = new Date().toISOString();
  }

  protected abstract loop(): Promise<void>;
}
