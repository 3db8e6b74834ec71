// The numeric modifiers (`lt`, `lte`, `gt`, `gte`) and the time modifiers (`minute` ... `year`), which
// take a part of a timestamp and compare it (equal, or with a following comparison modifier).
import type { CompareOperator, TimePart } from './modifier-chain.js';

/** The number of an event value: a finite number, or a string that is one (`' 42 '`, `'4.5'`); else NaN. */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return NaN;
  return Number(value);
}

/** Compares `actual` with `expected` by the operator; equality when no operator. */
export function compareNumbers(
  actual: number,
  operator: CompareOperator | undefined,
  expected: number,
): boolean {
  switch (operator) {
    case 'lt':
      return actual < expected;
    case 'lte':
      return actual <= expected;
    case 'gt':
      return actual > expected;
    case 'gte':
      return actual >= expected;
    case undefined:
      return actual === expected;
  }
}

const ISO_LIKE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2}))?/;
const DAY_MS = 86_400_000;

/**
 * The part of a timestamp event value, or NaN. Strings shaped `YYYY-MM-DD[( |T)hh:mm...]` give their parts
 * as written (no time-zone conversion, as the specification warns); other date strings go through
 * `Date.parse` and UTC. Numbers are epoch seconds (below 1e11) or epoch milliseconds.
 */
export function timePartOf(value: unknown, part: TimePart): number {
  let year: number;
  let month: number;
  let day: number;
  let hour: number;
  let minute: number;
  const match = typeof value === 'string' ? ISO_LIKE.exec(value) : null;
  if (match) {
    [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(match[i] ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
    ];
  } else {
    const time =
      typeof value === 'number'
        ? Math.abs(value) < 1e11
          ? value * 1000
          : value
        : typeof value === 'string'
          ? Date.parse(value)
          : NaN;
    if (!Number.isFinite(time)) return NaN;
    const date = new Date(time);
    [year, month, day, hour, minute] = [
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
    ];
  }
  switch (part) {
    case 'minute':
      return minute;
    case 'hour':
      return hour;
    case 'day':
      return day;
    case 'month':
      return month;
    case 'year':
      return year;
    case 'week':
      return isoWeek(year, month, day);
  }
}

/** The ISO 8601 week number (1-53) of a date. */
export function isoWeek(year: number, month: number, day: number): number {
  const date = Date.UTC(year, month - 1, day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7;
  const thursday = date + (3 - weekday) * DAY_MS;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - yearStart) / DAY_MS / 7) + 1;
}
