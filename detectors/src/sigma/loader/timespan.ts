// Correlation timespans: `number + lower-case unit letter` (sigma-correlation-rules-specification.md,
// "Time Selection"): s, m, h, d. pySigma also reads `w` (weeks), `M` (months, 30 d) and `y` (years,
// 365 d); so do we.
import { describeValue } from './yaml-values.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

const MAX_MS = 100 * 365 * 86_400_000;

const TIMESPAN = /^(\d+)([smhdwMy])$/;

/** The outcome of parsing a timespan: the milliseconds, or why it is not one. */
export type TimespanResult = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Parses a Sigma timespan (`30s`, `5m`, `1h`, `1d`) into milliseconds. A zero, negative, fractional
 * or unit-less value, or one longer than 100 years, is rejected with a reason.
 */
export function parseTimespan(text: unknown): TimespanResult {
  if (typeof text !== 'string') {
    return { ok: false, reason: `timespan must be a string such as '5m' (got ${describeValue(text)})` };
  }
  const match = TIMESPAN.exec(text.trim());
  if (!match) {
    return {
      ok: false,
      reason: `bad timespan '${text}': expected a whole number followed by s, m, h or d (e.g. '30s', '5m', '1h', '1d')`,
    };
  }
  const amount = Number(match[1]);
  const unit = UNIT_MS[match[2] ?? ''] ?? 0;
  const ms = amount * unit;
  if (amount === 0) return { ok: false, reason: `bad timespan '${text}': it must be longer than zero` };
  if (ms > MAX_MS) return { ok: false, reason: `bad timespan '${text}': longer than 100 years` };
  return { ok: true, ms };
}
