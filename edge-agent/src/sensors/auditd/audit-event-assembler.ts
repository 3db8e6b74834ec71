import type { AuditRecord } from './audit-record-parser.js';

/**
 * Groups consecutive records sharing an audit id (`seconds.millis:serial`) into events. An event is
 * complete when a record with another id arrives, when its EOE record arrives, or when the owner calls
 * {@link flush} (on a timeout, so the last event is not held forever, and at stop).
 */
export class AuditEventAssembler {
  private open: AuditRecord[] = [];
  private openId = '';
  private lastPushMs = 0;

  /** Adds a record; returns the event it completed, if any. */
  push(record: AuditRecord, nowMs = 0): AuditRecord[] | undefined {
    this.lastPushMs = nowMs;
    if (record.type === 'EOE') {
      return record.id === this.openId ? this.flush() : undefined;
    }
    if (this.open.length > 0 && record.id !== this.openId) {
      const done = this.open;
      this.open = [record];
      this.openId = record.id;
      return done;
    }
    this.open.push(record);
    this.openId = record.id;
    return undefined;
  }

  /** Completes the open event (if any). */
  flush(): AuditRecord[] | undefined {
    if (this.open.length === 0) return undefined;
    const done = this.open;
    this.open = [];
    this.openId = '';
    return done;
  }

  /** Whether records are waiting for their event to complete. */
  get pending(): boolean {
    return this.open.length > 0;
  }

  /** When the last record was pushed (the `nowMs` given to {@link push}). */
  get lastPushAtMs(): number {
    return this.lastPushMs;
  }
}
