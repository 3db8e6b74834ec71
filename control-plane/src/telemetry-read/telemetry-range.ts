// The time range of a telemetry read: `to` defaults to now and `from` to 24 hours before it; a range that is
// reversed or longer than 31 days is refused (422) before any query runs.
import { UnprocessableProblem } from '../http/problems.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_RANGE_DAYS = 31;

export interface TimeRange {
  from: string;
  to: string;
}

/** The range a request asks for, with defaults applied, as ISO-8601 UTC strings. */
export function resolveRange(query: { from?: string | undefined; to?: string | undefined }): TimeRange {
  const to = query.to === undefined ? new Date() : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - DAY_MS) : new Date(query.from);
  if (from.getTime() > to.getTime()) {
    throw new UnprocessableProblem('query.from: must not be after query.to', [
      { path: 'query.from', message: 'must not be after query.to' },
    ]);
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new UnprocessableProblem(`query.from: the range may span at most ${MAX_RANGE_DAYS} days`, [
      { path: 'query.from', message: `the range may span at most ${MAX_RANGE_DAYS} days` },
    ]);
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

/**
 * Address ranges that are not on the public internet: private (RFC 1918), loopback, link-local, CGNAT
 * (RFC 6598), unspecified, IPv6 unique local and link-local. Written into SQL as inet literals (constants).
 */
export const INTERNAL_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
] as const;

/** SQL: true when the inet expression `column` lies in an internal range. */
export function isInternalSql(column: string): string {
  return `(${column} <<= ANY ('{${INTERNAL_RANGES.join(',')}}'::inet[]))`;
}
