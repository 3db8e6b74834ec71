// The JSON form of the correlation state (for a collector restart), and reading it back with every part
// checked: a snapshot is a file on disk and may be truncated, hand-edited or from another version.
import { InosecError } from '@inosec/protos';
import type { CompiledCorrelation } from './correlation-compiler.js';
import type { EventRef } from './correlation-types.js';
import { GroupWindow, type EntryRefs } from './group-window.js';

/** The snapshot format's name and version. */
export const SNAPSHOT_FORMAT = 'inosec.sigma-correlation-state';
export const SNAPSHOT_VERSION = 1;

/** One window entry: [time ms, input index, key, refs]. */
export type EntrySnapshot = [number, number, string, EventRef | EventRef[]];

/** One group's state. Absent times (`-Infinity` in memory) are null. */
export interface GroupSnapshot {
  values: string[];
  maxTimeMs: number | null;
  consumedUntilMs: number | null;
  suppressUntilMs: number | null;
  entries: EntrySnapshot[];
}

/** One correlation rule's state, with the signature of the rule it was taken with. */
export interface CorrelationRuleSnapshot {
  key: string;
  /** What the state means: type, timespan, rules, group-by, condition. State of a changed rule is dropped. */
  signature: string;
  groups: GroupSnapshot[];
}

/** The JSON-serialisable state of a CorrelationEngine. */
export interface CorrelationSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** When it was taken (ms since the epoch), as given to `snapshot()`. */
  takenAtMs?: number;
  correlations: CorrelationRuleSnapshot[];
}

/** A snapshot that cannot be read (not one, another version, or a malformed part). */
export class CorrelationSnapshotError extends InosecError {
  constructor(message: string) {
    super('correlation_snapshot_invalid', message);
  }
}

/** What a correlation's state means; a restored state is used only for a rule with the same signature. */
export function ruleSignature(rule: CompiledCorrelation): string {
  const { correlation } = rule.doc;
  return JSON.stringify([
    rule.type,
    rule.spanMs,
    correlation.rules,
    rule.groupBy,
    correlation.aliases ?? null,
    rule.condition.text,
    correlation.condition?.field ?? null,
  ]);
}

/** The snapshot of one group. */
export function groupToSnapshot(group: GroupWindow): GroupSnapshot {
  return {
    values: [...group.values],
    maxTimeMs: finiteOrNull(group.maxTimeMs),
    consumedUntilMs: finiteOrNull(group.consumedUntilMs),
    suppressUntilMs: finiteOrNull(group.suppressUntilMs),
    entries: group.entries.map((entry) => [
      entry.timeMs,
      entry.input,
      entry.key,
      typeof entry.refs === 'string' || !Array.isArray(entry.refs)
        ? (entry.refs as EventRef)
        : [...(entry.refs as readonly EventRef[])],
    ]),
  };
}

/** Checks a parsed snapshot's outer shape. */
export function checkSnapshot(value: unknown): CorrelationSnapshot {
  if (!isRecord(value) || value.format !== SNAPSHOT_FORMAT) {
    throw new CorrelationSnapshotError(
      `not a correlation state snapshot (format must be '${SNAPSHOT_FORMAT}')`,
    );
  }
  if (value.version !== SNAPSHOT_VERSION) {
    throw new CorrelationSnapshotError(
      `correlation state snapshot version ${String(value.version)} is not supported (expected ${SNAPSHOT_VERSION})`,
    );
  }
  if (!Array.isArray(value.correlations)) {
    throw new CorrelationSnapshotError('correlation state snapshot has no correlations list');
  }
  value.correlations.forEach((rule, i) => {
    if (
      !isRecord(rule) ||
      typeof rule.key !== 'string' ||
      typeof rule.signature !== 'string' ||
      !Array.isArray(rule.groups)
    ) {
      throw new CorrelationSnapshotError(`correlations[${i}] must have a key, a signature and groups`);
    }
  });
  return value as unknown as CorrelationSnapshot;
}

/** Rebuilds one group from its snapshot, checking every field; `inputs` is the rule's input count. */
export function groupFromSnapshot(
  value: unknown,
  inputs: number,
  countKeys: boolean,
  where: string,
): GroupWindow {
  if (!isRecord(value) || !Array.isArray(value.values) || !value.values.every((v) => typeof v === 'string')) {
    throw new CorrelationSnapshotError(`${where}: values must be a list of strings`);
  }
  if (!Array.isArray(value.entries)) throw new CorrelationSnapshotError(`${where}: entries must be a list`);
  const group = new GroupWindow(value.values, countKeys);
  let previous = Number.NEGATIVE_INFINITY;
  value.entries.forEach((entry: unknown, i) => {
    if (
      !Array.isArray(entry) ||
      entry.length !== 4 ||
      !isFiniteNumber(entry[0]) ||
      !Number.isInteger(entry[1]) ||
      (entry[1] as number) < 0 ||
      (entry[1] as number) >= inputs ||
      typeof entry[2] !== 'string' ||
      !isEntryRefs(entry[3])
    ) {
      throw new CorrelationSnapshotError(`${where}.entries[${i}]: expected [time, input, key, refs]`);
    }
    if (entry[0] < previous)
      throw new CorrelationSnapshotError(`${where}.entries[${i}]: entries out of time order`);
    previous = entry[0];
    group.insert({ timeMs: entry[0], input: entry[1] as number, key: entry[2], refs: entry[3] });
  });
  group.maxTimeMs = Math.max(group.maxTimeMs, time(value.maxTimeMs, `${where}.maxTimeMs`));
  group.consumedUntilMs = time(value.consumedUntilMs, `${where}.consumedUntilMs`);
  group.suppressUntilMs = time(value.suppressUntilMs, `${where}.suppressUntilMs`);
  return group;
}

function time(value: unknown, where: string): number {
  if (value === null || value === undefined) return Number.NEGATIVE_INFINITY;
  if (!isFiniteNumber(value)) throw new CorrelationSnapshotError(`${where}: must be a number or null`);
  return value;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function isEntryRefs(value: unknown): value is EntryRefs {
  return Array.isArray(value) ? value.every(isEventRef) : isEventRef(value);
}

function isEventRef(value: unknown): value is EventRef {
  return (
    typeof value === 'string' ||
    (isRecord(value) && typeof value.agentId === 'string' && isFiniteNumber(value.seq))
  );
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
