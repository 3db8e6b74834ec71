// The time of a raw JSON log record or a flattened evtx record, for correlation windows: the first of the usual
// timestamp fields that parses. InoSec events carry their own (Event.time_unix_us).
import type { SigmaEvent } from '../sigma/sigma-types.js';

/**
 * The fields a record's time is read from, in order: evtx `TimeCreated_SystemTime`, ECS/Elastic `@timestamp`,
 * the generic `timestamp`/`time`, Zeek `ts` (epoch seconds), Sysmon `UtcTime`, NXLog `EventTime`.
 */
export const RECORD_TIME_FIELDS: readonly string[] = [
  'TimeCreated_SystemTime',
  '@timestamp',
  'timestamp',
  'time',
  'ts',
  'UtcTime',
  'EventTime',
];

/** `2019-03-01 10:00:00.123` and `2019-03-01T10:00:00`: a date and time with no zone, read as UTC. */
const NO_ZONE = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)$/;
const NUMERIC = /^\d+(?:\.\d+)?$/;

/** Epoch seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude) → microseconds. */
function epochToUs(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return Math.round(value * 1e6); // seconds (until year 5138)
  if (value < 1e14) return Math.round(value * 1e3); // milliseconds
  if (value < 1e17) return Math.round(value); // microseconds
  return Math.round(value / 1e3); // nanoseconds
}

/** One timestamp value → microseconds since the epoch; undefined when it is not a time. */
export function parseTimeUs(value: unknown): number | undefined {
  if (typeof value === 'number') return epochToUs(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (NUMERIC.test(text)) return epochToUs(Number(text));
  const bare = NO_ZONE.exec(text);
  const ms = Date.parse(bare ? `${bare[1]}T${bare[2]}Z` : text);
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  // Date.parse drops digits past milliseconds; keep the microseconds of an ISO fraction.
  const fraction = /\.(\d{4,6})/.exec(text)?.[1];
  return fraction ? Math.floor(ms / 1000) * 1e6 + Number(fraction.padEnd(6, '0')) : ms * 1000;
}

/** The time of a record (µs since the epoch) from the first field of RECORD_TIME_FIELDS that parses. */
export function recordTimeUs(view: SigmaEvent): number | undefined {
  for (const field of RECORD_TIME_FIELDS) {
    const time = parseTimeUs(view[field]);
    if (time !== undefined) return time;
  }
  return undefined;
}
