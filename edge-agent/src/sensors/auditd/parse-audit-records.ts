import type { EventDraft } from '../sensor.js';
import { AuditEventAssembler } from './audit-event-assembler.js';
import { type AuditMapOptions, mapAuditEvent } from './audit-event-mapper.js';
import { parseAuditLine } from './audit-record-parser.js';

/** What {@link parseAuditRecords} produced. */
export interface AuditParseResult {
  /** One event per audit event (records grouped by id), in input order. */
  readonly events: EventDraft[];
  /** Records parsed. */
  readonly records: number;
  /** Non-empty lines that held no audit record header. */
  readonly unparsedLines: number;
}

/**
 * Parses raw audit.log lines into events: records grouped by audit id, each complete event mapped by
 * {@link mapAuditEvent}; the last event is completed at the end of the input. Pure: no I/O, no timers.
 */
export function parseAuditRecords(lines: Iterable<string>, options: AuditMapOptions = {}): AuditParseResult {
  const assembler = new AuditEventAssembler();
  const events: EventDraft[] = [];
  let records = 0;
  let unparsedLines = 0;
  for (const line of lines) {
    const parsed = parseAuditLine(line);
    if (parsed.length === 0) {
      if (line.trim() !== '') unparsedLines++;
      continue;
    }
    for (const record of parsed) {
      records++;
      const done = assembler.push(record);
      if (done) events.push(mapAuditEvent(done, options));
    }
  }
  const last = assembler.flush();
  if (last) events.push(mapAuditEvent(last, options));
  return { events, records, unparsedLines };
}
