// The streaming evaluator of Sigma correlation rules (sigma-correlation-rules-specification.md): fed with
// detection matches, it keeps a bounded window per correlation and group and returns the alerts they fire.
import { InosecError } from '@inosec/protos';
import type { SigmaCorrelationDocument } from '../loader/rule-document.js';
import type { SigmaEvent, SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { compileCorrelations, type CorrelationInput } from './correlation-compiler.js';
import {
  checkSnapshot,
  CorrelationSnapshotError,
  groupFromSnapshot,
  groupToSnapshot,
  ruleSignature,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type CorrelationSnapshot,
} from './correlation-snapshot.js';
import { CorrelationState } from './correlation-state.js';
import type {
  CorrelationAlert,
  CorrelationEngineOptions,
  CorrelationStats,
  KnownRule,
  RuleMatch,
} from './correlation-types.js';
import type { EntryRefs } from './group-window.js';
import { correlationSourceKey, type ReferenceIndex } from './rule-references.js';

interface Subscriber {
  state: CorrelationState;
  input: CorrelationInput;
}

/** What `restore` did. */
export interface RestoreReport {
  /** Groups restored. */
  groups: number;
  /** Correlations of the snapshot left out: no longer loaded, or changed since (their state meant something else). */
  skipped: string[];
}

const NO_ALERTS: readonly CorrelationAlert[] = Object.freeze([]);

/**
 * Evaluates correlation rules on a stream of detection matches.
 *
 * Windows. Each correlation keeps one window per group (the `group-by` values, read from each referred
 * rule's events with `aliases` applied; a match missing a group-by field, or value_count's field, is not
 * counted). A group's window is the `timespan` ending at its newest event time; a match arriving out of
 * order still counts when it falls in that window, and is ignored when it is older.
 *
 * Counts. event_count counts events; value_count counts distinct values of `condition.field` (several
 * fields: distinct combinations); temporal counts distinct referred rules (default condition: all of
 * them); temporal_ordered counts the referred rules seen in the listed order (greedy, earliest first;
 * equal times count in arrival order), default condition: all of them.
 *
 * Firing. A condition with only lower bounds (gt, gte) is decided on the match that makes it true: the
 * alert carries the window's events, which are then consumed (they never count towards another alert of
 * that group), and the group is silenced until its window has slid past the alert's first event
 * (newest event time > firstSeen + timespan): at most one alert per group per timespan while the
 * activity goes on, and each alert made of fresh events. A condition with an upper bound (lt, lte, eq,
 * neq) can only be decided once the window is complete, so those windows are anchored at their first
 * event and evaluated when time passes their end: on a later match of the same group, or on `expire`,
 * which returns those alerts (call it periodically with the current event time).
 *
 * Chains. A correlation may refer to other correlations: an inner alert feeds the outer correlation as
 * one event at the alert's last time, with the inner `group-by` values as its fields and the inner
 * alert's refs. Alerts of a correlation are returned unless every correlation referring to it has
 * `generate: false` (the default); then they only feed the chain. `generatesStandalone` answers the
 * same question for detection rules.
 *
 * Bounds. At most `maxGroupsPerCorrelation` groups (past it the least recently updated group is
 * evicted) and `maxEventsPerGroup` events per group (past it the oldest is dropped); `stats()` counts both.
 *
 * Restart. `snapshot()` gives the whole state (windows, consumed and silenced times) as JSON;
 * `restore()` takes it back for the correlations that are still loaded unchanged. What happened between
 * the last snapshot and a crash is lost unless the matches are fed again (matches at or before a
 * group's last alert are then ignored, so re-feeding does not fire twice).
 */
export class CorrelationEngine {
  /** The correlations that could not be compiled, one error each; the others work. */
  readonly errors: ReadonlyArray<SigmaRuleError | SigmaUnsupportedError>;
  private readonly states: CorrelationState[] = [];
  private readonly subscribers = new Map<string, Subscriber[]>();
  private readonly references: ReferenceIndex;
  /** Correlations whose alerts are returned (index → emit). */
  private readonly emits = new Map<number, boolean>();
  /** Where onMatch collects a correlation's alerts (no allocation when none fire). */
  private readonly scratch: CorrelationAlert[] = [];
  /** Detection rule source keys whose standalone alerts are not generated. */
  private readonly silenced = new Set<string>();

  /**
   * Compiles the correlations, resolving their `rules` against the detection rules given (by id or
   * name) and against each other.
   */
  constructor(
    correlations: readonly SigmaCorrelationDocument[],
    knownRules: Iterable<KnownRule>,
    options: CorrelationEngineOptions = {},
  ) {
    const limits = {
      maxGroups: positiveInteger(options.maxGroupsPerCorrelation, 100_000, 'maxGroupsPerCorrelation'),
      maxEventsPerGroup: positiveInteger(options.maxEventsPerGroup, 1_000, 'maxEventsPerGroup'),
      maxRefsPerAlert: positiveInteger(options.maxRefsPerAlert, 100, 'maxRefsPerAlert'),
    };
    const maxChainDepth = positiveInteger(options.maxChainDepth, 8, 'maxChainDepth');
    const outcome = compileCorrelations(correlations, knownRules, {
      maxEventsPerGroup: limits.maxEventsPerGroup,
      maxChainDepth,
    });
    this.errors = outcome.errors;
    this.references = outcome.references;
    const generating = new Set<string>();
    for (const rule of outcome.compiled) {
      const state = new CorrelationState(rule, limits);
      this.states.push(state);
      if (!this.emits.has(rule.index)) this.emits.set(rule.index, true);
      for (const [source, input] of rule.inputs) {
        const list = this.subscribers.get(source) ?? [];
        list.push({ state, input });
        this.subscribers.set(source, list);
        if (rule.doc.generate) generating.add(source);
        else if (source.startsWith('correlation:')) this.emits.set(Number(source.slice(12)), false);
        else this.silenced.add(source);
      }
    }
    for (const source of generating) {
      this.silenced.delete(source);
      if (source.startsWith('correlation:')) this.emits.set(Number(source.slice(12)), true);
    }
  }

  /** The number of correlations that compiled. */
  get size(): number {
    return this.states.length;
  }

  /** Feeds one detection match; returns the alerts it fires (often none). */
  onMatch(match: RuleMatch): readonly CorrelationAlert[] {
    const source = this.references.matchSourceKey(match.ruleId, match.ruleName);
    const subscribers = source === undefined ? undefined : this.subscribers.get(source);
    if (!subscribers) return NO_ALERTS;
    let out: CorrelationAlert[] | undefined;
    const scratch = this.scratch;
    for (const { state, input } of subscribers) {
      state.add(input, match.timeMs, match.event, match.ref, scratch);
      if (scratch.length > 0) out = this.propagate(state, scratch.splice(0), out ?? []);
    }
    return out ?? NO_ALERTS;
  }

  /**
   * Drops the state past every window at `nowMs` (event time), and returns the alerts of windows that
   * closed (conditions with lt, lte, eq or neq). Call it periodically; state is bounded without it, but
   * groups that stopped receiving matches are only freed here or by eviction.
   */
  expire(nowMs: number): readonly CorrelationAlert[] {
    let out: CorrelationAlert[] | undefined;
    for (const state of this.states) {
      const fired: CorrelationAlert[] = [];
      state.expire(nowMs, fired);
      if (fired.length > 0) out = this.propagate(state, fired, out ?? []);
    }
    return out ?? NO_ALERTS;
  }

  /**
   * Whether a detection rule's own matches should be alerted on their own: false when every correlation
   * referring to it has `generate: false` (the spec's default); true for rules no correlation refers to.
   */
  generatesStandalone(ruleId: string, ruleName?: string): boolean {
    const source = this.references.matchSourceKey(ruleId, ruleName);
    return source === undefined || !this.silenced.has(source);
  }

  /** Counters: groups held, evictions, dropped, late and incomplete matches, alerts. */
  stats(): CorrelationStats {
    const correlations = this.states.map((state) => ({ ...state.stats, groups: state.groups.size }));
    const sum = (key: Exclude<keyof CorrelationStats, 'correlations'>) =>
      correlations.reduce((total, stats) => total + stats[key], 0);
    return {
      groups: sum('groups'),
      evictedGroups: sum('evictedGroups'),
      droppedEvents: sum('droppedEvents'),
      lateEvents: sum('lateEvents'),
      missingFields: sum('missingFields'),
      badTimes: sum('badTimes'),
      alerts: sum('alerts'),
      correlations,
    };
  }

  /** The whole correlation state, JSON-serialisable (see the class documentation for what survives). */
  snapshot(takenAtMs?: number): CorrelationSnapshot {
    const snapshot: CorrelationSnapshot = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      correlations: this.states.map((state) => ({
        key: state.rule.stateKey,
        signature: ruleSignature(state.rule),
        groups: Array.from(state.groups.entries(), ([, group]) => groupToSnapshot(group)),
      })),
    };
    if (takenAtMs !== undefined) snapshot.takenAtMs = takenAtMs;
    return snapshot;
  }

  /**
   * Replaces the state with a snapshot's, for each correlation still loaded with the same meaning.
   * Throws CorrelationSnapshotError (and keeps the current state) when the snapshot is malformed.
   */
  restore(snapshot: unknown): RestoreReport {
    const checked = checkSnapshot(snapshot);
    const byKey = new Map(this.states.map((state) => [state.rule.stateKey, state]));
    const plan: Array<{ state: CorrelationState; groups: ReturnType<typeof groupFromSnapshot>[] }> = [];
    const skipped: string[] = [];
    checked.correlations.forEach((rule, i) => {
      const state = byKey.get(rule.key);
      if (!state || ruleSignature(state.rule) !== rule.signature) {
        skipped.push(rule.key);
        return;
      }
      const inputs = state.rule.inputs.size;
      const groups = rule.groups.map((group, g) =>
        groupFromSnapshot(
          group,
          inputs,
          state.rule.type !== 'event_count',
          `correlations[${i}].groups[${g}]`,
        ),
      );
      for (const group of groups) {
        if (group.values.length !== state.rule.groupBy.length) {
          throw new CorrelationSnapshotError(
            `correlations[${i}]: a group has ${group.values.length} group-by values`,
          );
        }
      }
      plan.push({ state, groups });
    });
    for (const state of this.states) state.clear();
    let restored = 0;
    for (const { state, groups } of plan) {
      for (const group of groups) state.adopt(group);
      restored += state.groups.size;
    }
    return { groups: restored, skipped };
  }

  /** Returns the alerts of `state` that are emitted, and feeds all of them to the correlations referring to it. */
  private propagate(
    state: CorrelationState,
    alerts: CorrelationAlert[],
    out: CorrelationAlert[],
  ): CorrelationAlert[] {
    const emit = this.emits.get(state.rule.index) ?? true;
    const subscribers = this.subscribers.get(correlationSourceKey(state.rule.index));
    for (const alert of alerts) {
      if (emit) out.push(alert);
      if (!subscribers) continue;
      const event: SigmaEvent = alert.groupBy;
      const refs: EntryRefs = alert.refs;
      for (const outer of subscribers) {
        const fired: CorrelationAlert[] = [];
        outer.state.add(outer.input, alert.lastSeenMs, event, refs, fired);
        if (fired.length > 0) this.propagate(outer.state, fired, out);
      }
    }
    return out;
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new InosecError(
      'config_invalid',
      `correlation option ${name} must be a positive integer (got ${value})`,
    );
  }
  return value;
}
