// The records that flow through detection: a rule match on one event (SigmaHit), and the alert a tenant's
// matches make (DetectionAlert). Both are plain data, so they cross worker threads and process boundaries.
import type { SigmaEvent } from '../sigma/sigma-types.js';

/** Where an agent's event sits in its stream, and its time (microseconds since the epoch). */
export interface AlertEventRef {
  agentId: string;
  seq: number;
  timeUs: number;
}

/** One detection rule matching one event (one hit per rule and event, however many views matched). */
export interface SigmaHit {
  /** The rule's id (or, for a rule without one, `title:<title>`). */
  ruleId: string;
  ruleName?: string;
  /** The log source the matching view was published under. */
  logsourceKey: string;
  ref: AlertEventRef;
  hostName?: string;
  hostId?: string;
  /** The flat Sigma view that matched: correlation rules read their group-by fields from it. */
  view: SigmaEvent;
}

/**
 * The hits of one detection rule on one entity (host, else agent) within one batch, aggregated where they
 * were matched: what an alert needs of them, without a view (no correlation reads the rule's matches).
 * Plain data with one transferable array, so a batch's hits cross threads as a few records.
 */
export interface SigmaHitGroup {
  /** The rule's key, as SigmaHit.ruleId. */
  ruleId: string;
  agentId: string;
  /** The host of the group's first hit (every hit of the group has the same host fields). */
  hostName?: string;
  hostId?: string;
  /** Each hit's event seq and time (µs since the epoch), in match order: seq at 2i, time at 2i + 1. */
  refs: Float64Array;
}

/**
 * Which detection rules correlations read, by rule key (SigmaHit.ruleId), each with the fields of its view
 * they read (group-by and counted fields, aliases applied). The hits of the rules absent here are aggregated
 * (SigmaHitGroup); those of the rules here keep a view with just these fields.
 */
export type CorrelationReads = ReadonlyMap<string, readonly string[]>;

/** OCSF severity_id values (inosec.v1.Alert.Severity). */
export type AlertSeverity = 1 | 2 | 3 | 4 | 5;

/** Which engine raised an alert (inosec.v1.AlertRule.ruleset). */
export type AlertRuleset = 'sigma' | 'correlation' | 'ioc';

/**
 * An alert as detection raises it: matches of one rule for one entity, aggregated. Repeated detections with
 * the same tenant and dedupe key are one alert (stored with count and first/last seen).
 */
export interface DetectionAlert {
  tenantId: string;
  /** `sigma:<rule>:<host>`, `correlation:<rule>:<group-by values>`, `ioc:<feed>:<indicator>:<host>`. */
  dedupeKey: string;
  ruleset: AlertRuleset;
  ruleId: string;
  ruleName: string;
  severity: AlertSeverity;
  title: string;
  description: string;
  /** ATT&CK tactic short names (`credential-access`) and technique ids (`T1110`) from the rule's tags. */
  tactics: string[];
  techniques: string[];
  tags: string[];
  agentId?: string;
  hostName?: string;
  hostId?: string;
  /** A correlation's group: each group-by field → its value. */
  groupBy?: Record<string, string>;
  firstSeenUs: number;
  lastSeenUs: number;
  /** Matches this alert stands for (events for a rule, condition count for a correlation). */
  count: number;
  /** The matched events, oldest first, at most 100. */
  events: AlertEventRef[];
}
