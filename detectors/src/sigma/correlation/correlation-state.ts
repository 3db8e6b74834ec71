// The state of one correlation rule: its groups (bounded, least recently updated evicted first), each
// with its window, and the evaluation of its condition on them. The policy is documented on
// CorrelationEngine (correlation-engine.ts).
import type { SigmaEvent } from '../sigma-types.js';
import type { CompiledCorrelation, CorrelationInput } from './correlation-compiler.js';
import type { CorrelationAlert, CorrelationRuleStats, EventRef } from './correlation-types.js';
import {
  distinctKeys,
  GroupWindow,
  orderedPrefix,
  type EntryRefs,
  type WindowEntry,
} from './group-window.js';
import { LruGroups } from './lru-groups.js';

/** The limits a correlation's state keeps to. */
export interface StateLimits {
  maxGroups: number;
  maxEventsPerGroup: number;
  maxRefsPerAlert: number;
}

const SEPARATOR = '\u001f';

/** One correlation rule's groups and counters. */
export class CorrelationState {
  /** Group key → window, least recently updated first. */
  readonly groups: LruGroups;
  readonly stats: CorrelationRuleStats;

  constructor(
    readonly rule: CompiledCorrelation,
    private readonly limits: StateLimits,
  ) {
    this.groups = new LruGroups(limits.maxGroups);
    this.stats = {
      correlation: rule.label,
      groups: 0,
      evictedGroups: 0,
      droppedEvents: 0,
      lateEvents: 0,
      missingFields: 0,
      badTimes: 0,
      alerts: 0,
    };
  }

  /** Counts one match (or inner alert) of one referred rule; returns the alerts it fires. */
  add(
    input: CorrelationInput,
    timeMs: number,
    event: SigmaEvent,
    refs: EntryRefs,
    alerts: CorrelationAlert[],
  ): void {
    const { rule } = this;
    if (!Number.isFinite(timeMs)) {
      this.stats.badTimes++;
      return;
    }
    const values: string[] = [];
    for (const reader of input.groupReaders) {
      const value = valueText(reader(event));
      if (value === undefined) {
        this.stats.missingFields++;
        return;
      }
      values.push(value);
    }
    let key = '';
    if (rule.type === 'value_count') {
      const counted = countedValue(input, event);
      if (counted === undefined) {
        this.stats.missingFields++;
        return;
      }
      key = counted;
    } else if (rule.type !== 'event_count') key = String(input.index);

    const group = this.touch(values);
    const spanMs = rule.spanMs;
    if (!rule.condition.monotone) this.closeDue(group, timeMs, alerts);
    if (timeMs < group.maxTimeMs - spanMs || timeMs <= group.consumedUntilMs) {
      this.stats.lateEvents++;
      return;
    }
    group.insert({ timeMs, input: input.index, key, refs });
    group.pruneBefore(group.maxTimeMs - spanMs);
    const excess = group.entries.length - this.limits.maxEventsPerGroup;
    if (excess > 0) {
      group.removeOldest(excess);
      this.stats.droppedEvents += excess;
    }
    if (!rule.condition.monotone || group.maxTimeMs <= group.suppressUntilMs) return;
    const count = this.measure(group, group.entries.length);
    if (!rule.condition.test(count)) return;
    const alert = this.alert(group, group.entries.length, count);
    group.consumedUntilMs = alert.lastSeenMs;
    group.suppressUntilMs = alert.firstSeenMs + spanMs;
    group.clear();
    alerts.push(alert);
  }

  /**
   * Drops what is past every window at `nowMs` (and closes the windows of non-monotone conditions that
   * end before it, returning their alerts); deletes the groups left with nothing to remember.
   */
  expire(nowMs: number, alerts: CorrelationAlert[]): void {
    const horizon = nowMs - this.rule.spanMs;
    for (const [key, group] of this.groups.entries()) {
      if (this.rule.condition.monotone) group.pruneBefore(horizon);
      else this.closeDue(group, nowMs, alerts);
      if (group.entries.length === 0 && group.suppressUntilMs < nowMs) this.groups.delete(key);
    }
    this.stats.groups = this.groups.size;
  }

  /** Adds a restored group (snapshot) as the most recently updated one, evicting past the bound. */
  adopt(group: GroupWindow): void {
    this.groups.add(groupKey(group.values), group);
    this.syncCounters();
  }

  /** Forgets every group (counters are kept). */
  clear(): void {
    this.groups.clear();
    this.syncCounters();
  }

  private touch(values: string[]): GroupWindow {
    const key = groupKey(values);
    const known = this.groups.touch(key);
    if (known) return known;
    const group = new GroupWindow(values, this.rule.type !== 'event_count');
    this.groups.add(key, group);
    this.syncCounters();
    return group;
  }

  private syncCounters(): void {
    this.stats.groups = this.groups.size;
    this.stats.evictedGroups = this.groups.evictions;
  }

  /** Closes the group's windows (anchored at their first event) that end before `nowMs`. */
  private closeDue(group: GroupWindow, nowMs: number, alerts: CorrelationAlert[]): void {
    const { entries } = group;
    while (entries.length > 0 && nowMs > (entries[0] as WindowEntry).timeMs + this.rule.spanMs) {
      const end = (entries[0] as WindowEntry).timeMs + this.rule.spanMs;
      let size = 1;
      while (size < entries.length && (entries[size] as WindowEntry).timeMs <= end) size++;
      const count = this.measure(group, size);
      if (this.rule.condition.test(count)) alerts.push(this.alert(group, size, count));
      group.consumedUntilMs = Math.max(group.consumedUntilMs, (entries[size - 1] as WindowEntry).timeMs);
      group.removeOldest(size);
    }
  }

  /** The count the condition tests, over the group's `size` oldest entries. */
  private measure(group: GroupWindow, size: number): number {
    const whole = size === group.entries.length;
    switch (this.rule.type) {
      case 'event_count':
        return size;
      case 'temporal_ordered':
        return orderedPrefix(group.entries, 0, size, this.rule.order);
      default:
        return whole && group.keyCounts ? group.keyCounts.size : distinctKeys(group.entries, 0, size);
    }
  }

  private alert(group: GroupWindow, size: number, count: number): CorrelationAlert {
    const { doc } = this.rule;
    const entries = group.entries;
    const groupBy: Record<string, string> = {};
    this.rule.groupBy.forEach((name, i) => (groupBy[name] = group.values[i] as string));
    const refs: EventRef[] = [];
    for (let i = 0; i < size && refs.length < this.limits.maxRefsPerAlert; i++) {
      const entryRefs = (entries[i] as WindowEntry).refs;
      if (typeof entryRefs === 'string' || !Array.isArray(entryRefs)) refs.push(entryRefs as EventRef);
      else
        for (const ref of entryRefs as readonly EventRef[])
          if (refs.length < this.limits.maxRefsPerAlert) refs.push(ref);
    }
    this.stats.alerts++;
    const alert: CorrelationAlert = {
      title: doc.title,
      type: this.rule.type,
      groupBy,
      firstSeenMs: (entries[0] as WindowEntry).timeMs,
      lastSeenMs: (entries[size - 1] as WindowEntry).timeMs,
      count,
      refs,
    };
    if (doc.id !== undefined) alert.correlationId = doc.id;
    if (doc.name !== undefined) alert.correlationName = doc.name;
    if (doc.level !== undefined) alert.level = doc.level;
    return alert;
  }
}

/** The key of a group: its values joined (no group-by: one group, ''). */
export function groupKey(values: readonly string[]): string {
  return values.length === 1 ? (values[0] as string) : values.join(SEPARATOR);
}

function countedValue(input: CorrelationInput, event: SigmaEvent): string | undefined {
  if (input.valueReaders.length === 1)
    return valueText((input.valueReaders[0] as (e: SigmaEvent) => unknown)(event));
  const parts: string[] = [];
  for (const reader of input.valueReaders) {
    const value = valueText(reader(event));
    if (value === undefined) return undefined;
    parts.push(value);
  }
  return parts.join(SEPARATOR);
}

/**
 * A field value as group and distinct-count key: missing (undefined, null, []) gives undefined; a list of
 * one value is that value; a value JSON cannot write (nested too deeply: a hostile record) is missing.
 */
function valueText(input: unknown): string | undefined {
  let value = input;
  while (Array.isArray(value) && value.length === 1) value = value[0] as unknown;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object': {
      if (value === null || (Array.isArray(value) && value.length === 0)) return undefined;
      try {
        return JSON.stringify(value);
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}
