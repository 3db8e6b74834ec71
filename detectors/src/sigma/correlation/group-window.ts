// The state of one group of one correlation: its events inside the window, sorted by time, with a count
// per entry key (the counted value for value_count, the referred rule for the temporal types) so distinct
// counts need no scan.
import type { EventRef } from './correlation-types.js';

/** The references of one window entry: one event's, or (for an inner correlation's alert) several. */
export type EntryRefs = EventRef | readonly EventRef[];

/** One event (or inner alert) counted by a group. */
export interface WindowEntry {
  timeMs: number;
  /** The index of the referred rule it came from (CorrelationInput.index). */
  input: number;
  /** What distinct counts count: the value (value_count), the input (temporal types), or ''. */
  key: string;
  refs: EntryRefs;
}

/** One group's window. */
export class GroupWindow {
  /** The events in the window, oldest first (ties in arrival order). */
  readonly entries: WindowEntry[] = [];
  /** Entry key → number of entries with it (only for the types that count distinct keys). */
  readonly keyCounts: Map<string, number> | undefined;
  /** The newest event time seen by this group. */
  maxTimeMs = Number.NEGATIVE_INFINITY;
  /** Events at or before this time were part of an alert (or of a closed window) and no longer count. */
  consumedUntilMs = Number.NEGATIVE_INFINITY;
  /** No new alert for this group until its newest event is past this time. */
  suppressUntilMs = Number.NEGATIVE_INFINITY;

  constructor(
    /** The group-by values, in group-by order. */
    readonly values: readonly string[],
    countKeys: boolean,
  ) {
    this.keyCounts = countKeys ? new Map() : undefined;
  }

  /** Adds an entry at its place in time order. */
  insert(entry: WindowEntry): void {
    const { entries } = this;
    let index = entries.length;
    // In-order arrival appends; a late event walks back to its place.
    while (index > 0 && (entries[index - 1] as WindowEntry).timeMs > entry.timeMs) index--;
    if (index === entries.length) entries.push(entry);
    else entries.splice(index, 0, entry);
    this.keyCounts?.set(entry.key, (this.keyCounts.get(entry.key) ?? 0) + 1);
    if (entry.timeMs > this.maxTimeMs) this.maxTimeMs = entry.timeMs;
  }

  /** Removes the `count` oldest entries. */
  removeOldest(count: number): void {
    const removed = this.entries.splice(0, count);
    if (!this.keyCounts) return;
    for (const entry of removed) {
      const left = (this.keyCounts.get(entry.key) ?? 1) - 1;
      if (left === 0) this.keyCounts.delete(entry.key);
      else this.keyCounts.set(entry.key, left);
    }
  }

  /** Removes the entries older than `horizonMs`. */
  pruneBefore(horizonMs: number): void {
    let count = 0;
    while (count < this.entries.length && (this.entries[count] as WindowEntry).timeMs < horizonMs) count++;
    if (count > 0) this.removeOldest(count);
  }

  /** Removes every entry. */
  clear(): void {
    this.entries.length = 0;
    this.keyCounts?.clear();
  }
}

/** The number of entries of `entries[from, to)` whose inputs appear in `order`, in that order (greedy). */
export function orderedPrefix(
  entries: readonly WindowEntry[],
  from: number,
  to: number,
  order: readonly number[],
): number {
  let position = 0;
  for (let i = from; i < to && position < order.length; i++) {
    if ((entries[i] as WindowEntry).input === order[position]) position++;
  }
  return position;
}

/** The number of distinct keys among `entries[from, to)`. */
export function distinctKeys(entries: readonly WindowEntry[], from: number, to: number): number {
  const keys = new Set<string>();
  for (let i = from; i < to; i++) keys.add((entries[i] as WindowEntry).key);
  return keys.size;
}
