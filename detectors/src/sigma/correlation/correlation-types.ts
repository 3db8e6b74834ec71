// The types at the edges of the correlation engine: the detection matches it is fed, the alerts it gives,
// its options and its counters.
import type { SigmaCorrelationType } from '../loader/rule-document.js';
import type { SigmaEvent } from '../sigma-types.js';

/** An opaque reference to an event: where an agent's event sits in its stream, or any string id. */
export type EventRef = { agentId: string; seq: number } | string;

/** One detection match, as the detection engine reports it. */
export interface RuleMatch {
  /** The matching detection rule's id (or, for a rule without one, any stable key). */
  ruleId: string;
  /** The rule's `name`, when it has one (correlations may refer to rules by name). */
  ruleName?: string;
  ruleTitle: string;
  /** The event's time (ms since the epoch). */
  timeMs: number;
  event: SigmaEvent;
  ref: EventRef;
}

/** A correlation rule's condition that held for one group. */
export interface CorrelationAlert {
  correlationId?: string;
  correlationName?: string;
  title: string;
  level?: string;
  type: SigmaCorrelationType;
  /** The group: each `group-by` field (or alias) name → its value. Empty without `group-by`. */
  groupBy: Record<string, string>;
  /** The time of the earliest and of the latest event that made the alert. */
  firstSeenMs: number;
  lastSeenMs: number;
  /**
   * What the condition was tested on: the number of events (event_count), of distinct values of
   * `condition.field` (value_count) or of distinct referenced rules seen (temporal; for temporal_ordered,
   * of rules seen in the listed order).
   */
  count: number;
  /** The references of the events that made the alert, oldest first, at most `maxRefsPerAlert`. */
  refs: EventRef[];
}

/** Bounds and limits of the correlation state. */
export interface CorrelationEngineOptions {
  /** Groups kept per correlation rule; past it the least recently updated group is evicted. Default 100,000. */
  maxGroupsPerCorrelation?: number;
  /** Events (timestamps) kept per group; past it the oldest is dropped. Default 1,000. */
  maxEventsPerGroup?: number;
  /** Event references carried by one alert. Default 100. */
  maxRefsPerAlert?: number;
  /** Longest chain of correlations referring to correlations. Default 8. */
  maxChainDepth?: number;
}

/** A detection rule the correlations may refer to (by id or by name). */
export interface KnownRule {
  id?: string;
  name?: string;
}

/** Counters of one correlation rule's state. */
export interface CorrelationRuleStats {
  /** The correlation's id, name or title. */
  correlation: string;
  /** Groups held now. */
  groups: number;
  /** Groups evicted because `maxGroupsPerCorrelation` was reached. */
  evictedGroups: number;
  /** Events dropped because a group held `maxEventsPerGroup` of them. */
  droppedEvents: number;
  /** Matches ignored because they were older than their group's window (or than its last alert). */
  lateEvents: number;
  /** Matches ignored because a `group-by` field (or the counted field) was missing from the event. */
  missingFields: number;
  /** Matches ignored because their time was not a finite number. */
  badTimes: number;
  /** Alerts fired. */
  alerts: number;
}

/** Counters of the whole engine: the sums of its correlations' counters, and each one's. */
export interface CorrelationStats {
  groups: number;
  evictedGroups: number;
  droppedEvents: number;
  lateEvents: number;
  missingFields: number;
  badTimes: number;
  alerts: number;
  correlations: CorrelationRuleStats[];
}
