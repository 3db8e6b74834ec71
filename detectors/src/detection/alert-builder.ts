// From rule matches to alerts, per tenant: the tenant's disabled rules dropped, detection rules' hits
// aggregated by rule and host, correlation rules fed and their alerts raised. Correlation state is kept per
// tenant, so one tenant's events never count towards another's.
import { parseAttackTags } from '../attack-tags.js';
import {
  CorrelationEngine,
  type CorrelationAlert,
  type CorrelationEngineOptions,
  type CorrelationSnapshot,
  type CorrelationStats,
  type EventRef,
  type KnownRule,
} from '../sigma/correlation/index.js';
import type { SigmaCorrelationDocument, SigmaLevel } from '../sigma/loader/index.js';
import type { SigmaRuleError, SigmaUnsupportedError } from '../sigma/sigma-types.js';
import { correlationReads } from './correlation-reads.js';
import type {
  AlertEventRef,
  AlertSeverity,
  CorrelationReads,
  DetectionAlert,
  SigmaHit,
  SigmaHitGroup,
} from './detection-types.js';
import { hitEntity } from './hit-compaction.js';

/** What an alert needs to know of a detection rule. */
export interface AlertRuleInfo {
  /** The key its hits carry (event-matcher's ruleKey: the id, or `title:<title>`). */
  key: string;
  name?: string;
  title: string;
  description?: string;
  level?: SigmaLevel;
  tags: readonly string[];
  /** Which engine the rule belongs to; default sigma. */
  ruleset?: 'sigma' | 'ioc';
}

export interface AlertBuilderOptions {
  rules: Iterable<AlertRuleInfo>;
  correlations?: readonly SigmaCorrelationDocument[];
  correlationOptions?: CorrelationEngineOptions;
  /** False when the tenant disabled the rule (detection or correlation key): its matches raise nothing. */
  isEnabled?: (tenantId: string, ruleKey: string) => boolean;
  /** Event references one alert carries. Default 100. */
  maxEventsPerAlert?: number;
}

const SEVERITY: Record<SigmaLevel, AlertSeverity> = {
  informational: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};

/** The alert severity of a Sigma level (OCSF severity_id); medium when the rule gives none. */
export function severityOf(level: SigmaLevel | undefined): AlertSeverity {
  return level ? SEVERITY[level] : 3;
}

// Correlation state holds event references as strings (they survive snapshots as JSON): time/seq/agent.
function refKey(ref: AlertEventRef): string {
  return `${ref.timeUs}/${ref.seq}/${ref.agentId}`;
}

function refOf(key: EventRef): AlertEventRef | undefined {
  if (typeof key !== 'string') return { agentId: key.agentId, seq: key.seq, timeUs: 0 };
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  if (first < 0 || second < 0) return undefined;
  return {
    timeUs: Number(key.slice(0, first)),
    seq: Number(key.slice(first + 1, second)),
    agentId: key.slice(second + 1),
  };
}

/**
 * Turns a tenant's hits into alerts. Hits of one detection rule on one host within one `build` call make one
 * alert (count, first/last seen, at most `maxEventsPerAlert` events); the store merges alerts with equal
 * dedupe keys across calls. Rules referred to by a correlation with `generate: false` raise no alert of their
 * own. Not reentrant per tenant; state is in memory (snapshot/restore for restarts).
 */
export class AlertBuilder {
  private readonly rules = new Map<string, AlertRuleInfo>();
  private readonly correlations: readonly SigmaCorrelationDocument[];
  private readonly engines = new Map<string, CorrelationEngine>();
  private readonly maxEvents: number;
  /** Tenants' own rules and correlations, besides the shared ones. */
  private readonly tenantRules = new Map<
    string,
    { rules: Map<string, AlertRuleInfo>; correlations: readonly SigmaCorrelationDocument[] }
  >();
  /** Each tenant's CorrelationReads (the shared one under ''), computed on first use. */
  private readonly reads = new Map<string, CorrelationReads>();
  /** The correlations that failed to compile (checked once, on a probe engine). */
  readonly correlationErrors: ReadonlyArray<SigmaRuleError | SigmaUnsupportedError>;
  private readonly probe: CorrelationEngine | undefined;

  constructor(private readonly options: AlertBuilderOptions) {
    for (const rule of options.rules) this.rules.set(rule.key, rule);
    this.correlations = options.correlations ?? [];
    this.maxEvents = options.maxEventsPerAlert ?? 100;
    this.probe = this.correlations.length > 0 ? this.newEngine() : undefined;
    this.correlationErrors = this.probe?.errors ?? [];
  }

  /** Correlations that compiled. */
  get correlationCount(): number {
    return this.probe?.size ?? 0;
  }

  /** The detection rules a tenant's correlations may refer to, as its engine knows them (shared first). */
  private knownRules(tenantId: string | undefined): KnownRule[] {
    const own = tenantId === undefined ? undefined : this.tenantRules.get(tenantId);
    return [...this.rules.values(), ...(own?.rules.values() ?? [])].map((rule) => ({
      ...(rule.key.startsWith('title:') ? {} : { id: rule.key }),
      ...(rule.name ? { name: rule.name } : {}),
    }));
  }

  private newEngine(tenantId?: string): CorrelationEngine {
    const own = tenantId === undefined ? undefined : this.tenantRules.get(tenantId);
    const correlations = own ? [...this.correlations, ...own.correlations] : this.correlations;
    return new CorrelationEngine(correlations, this.knownRules(tenantId), this.options.correlationOptions);
  }

  /**
   * The rules whose matches a tenant's correlations read, with the fields they read (undefined: a tenant
   * without rules of its own, i.e. the shared rules and correlations). Where matches are compacted
   * (compactHits) with these reads, build() on the result raises exactly the alerts it raises on the hits.
   */
  correlationReads(tenantId?: string): CorrelationReads {
    const own = tenantId === undefined ? undefined : this.tenantRules.get(tenantId);
    const cacheKey = own ? (tenantId as string) : '';
    let reads = this.reads.get(cacheKey);
    if (!reads) {
      const rules = new Map(this.rules);
      for (const [key, rule] of own?.rules ?? []) rules.set(key, rule);
      reads = correlationReads(
        this.knownRules(own ? tenantId : undefined),
        this.correlationsOf(own ? (tenantId as string) : ''),
        rules.values(),
      );
      this.reads.set(cacheKey, reads);
    }
    return reads;
  }

  /**
   * Sets a tenant's own detection rules and correlations (replacing any before; none: back to the shared
   * set). The tenant's correlation state starts over. Returns the tenant's correlations that did not compile.
   */
  setTenantRules(
    tenantId: string,
    rules: Iterable<AlertRuleInfo>,
    correlations: readonly SigmaCorrelationDocument[] = [],
  ): ReadonlyArray<SigmaRuleError | SigmaUnsupportedError> {
    const map = new Map<string, AlertRuleInfo>();
    for (const rule of rules) map.set(rule.key, rule);
    this.engines.delete(tenantId);
    this.reads.delete(tenantId);
    if (map.size === 0 && correlations.length === 0) {
      this.tenantRules.delete(tenantId);
      return [];
    }
    this.tenantRules.set(tenantId, { rules: map, correlations });
    if (correlations.length === 0) return [];
    const engine = this.newEngine(tenantId);
    this.engines.set(tenantId, engine);
    const shared = new Set(this.correlationErrors.map((error) => error.message));
    return engine.errors.filter((error) => !shared.has(error.message));
  }

  private ruleOf(tenantId: string, key: string): AlertRuleInfo | undefined {
    return this.tenantRules.get(tenantId)?.rules.get(key) ?? this.rules.get(key);
  }

  private correlationsOf(tenantId: string): readonly SigmaCorrelationDocument[] {
    const own = this.tenantRules.get(tenantId)?.correlations;
    return own && own.length > 0 ? [...this.correlations, ...own] : this.correlations;
  }

  private engineOf(tenantId: string): CorrelationEngine | undefined {
    const own = this.tenantRules.get(tenantId);
    if (!this.probe && !own?.correlations.length) return undefined;
    let engine = this.engines.get(tenantId);
    if (!engine) {
      engine = this.newEngine(tenantId);
      this.engines.set(tenantId, engine);
    }
    return engine;
  }

  private enabled(tenantId: string, key: string): boolean {
    return this.options.isEnabled ? this.options.isEnabled(tenantId, key) : true;
  }

  /**
   * The alerts a tenant's hits raise (hits of unknown or disabled rules are dropped). `groups`: hits
   * compacted where they were matched (compactHits), of rules no correlation reads; they count exactly as
   * the hits they stand for.
   */
  build(
    tenantId: string,
    hits: readonly SigmaHit[],
    groups: readonly SigmaHitGroup[] = [],
  ): DetectionAlert[] {
    const alerts = new Map<string, DetectionAlert>();
    const out: DetectionAlert[] = [];
    const engine = this.engineOf(tenantId);
    if (groups.length > 0) this.buildGroups(tenantId, groups, engine, alerts, out);
    for (const hit of hits) {
      const rule = this.ruleOf(tenantId, hit.ruleId);
      if (!rule || !this.enabled(tenantId, rule.key)) continue;
      if (!engine || engine.generatesStandalone(rule.key, rule.name)) {
        this.addHit(tenantId, rule, hit, alerts, out);
      }
      if (engine) {
        const fired = engine.onMatch({
          ruleId: rule.key,
          ...(rule.name ? { ruleName: rule.name } : {}),
          ruleTitle: rule.title,
          timeMs: hit.ref.timeUs / 1000,
          event: hit.view,
          ref: refKey(hit.ref),
        });
        for (const alert of fired) {
          const built = this.correlationAlert(tenantId, alert, hit);
          if (built) out.push(built);
        }
      }
    }
    return out;
  }

  private buildGroups(
    tenantId: string,
    groups: readonly SigmaHitGroup[],
    engine: CorrelationEngine | undefined,
    alerts: Map<string, DetectionAlert>,
    out: DetectionAlert[],
  ): void {
    const reads = engine ? this.correlationReads(tenantId) : undefined;
    for (const group of groups) {
      const rule = this.ruleOf(tenantId, group.ruleId);
      if (!rule || !this.enabled(tenantId, rule.key)) continue;
      if (!engine || engine.generatesStandalone(rule.key, rule.name)) {
        this.addGroup(tenantId, rule, group, alerts, out);
      }
      if (engine && reads?.has(rule.key)) {
        // Compacted under rules older than these (a tenant's rules changed while the batch was matched): the
        // views are gone, so only the correlations that read no field can count these matches.
        const refs = group.refs;
        for (let i = 0; i + 1 < refs.length; i += 2) {
          const ref: AlertEventRef = {
            agentId: group.agentId,
            seq: refs[i] as number,
            timeUs: refs[i + 1] as number,
          };
          const fired = engine.onMatch({
            ruleId: rule.key,
            ...(rule.name ? { ruleName: rule.name } : {}),
            ruleTitle: rule.title,
            timeMs: ref.timeUs / 1000,
            event: {},
            ref: refKey(ref),
          });
          for (const alert of fired) {
            const built = this.correlationAlert(tenantId, alert, group);
            if (built) out.push(built);
          }
        }
      }
    }
  }

  /** Alerts of correlation windows that closed by `nowMs` (lt/lte/eq/neq conditions), for every tenant. */
  expire(nowMs: number): DetectionAlert[] {
    const out: DetectionAlert[] = [];
    for (const [tenantId, engine] of this.engines) {
      for (const alert of engine.expire(nowMs)) {
        const built = this.correlationAlert(tenantId, alert, undefined);
        if (built) out.push(built);
      }
    }
    return out;
  }

  /** Correlation counters summed over tenants. */
  stats(): Omit<CorrelationStats, 'correlations'> & { tenants: number } {
    const total = { groups: 0, evictedGroups: 0, droppedEvents: 0, lateEvents: 0, missingFields: 0 };
    const more = { badTimes: 0, alerts: 0 };
    for (const engine of this.engines.values()) {
      const stats = engine.stats();
      total.groups += stats.groups;
      total.evictedGroups += stats.evictedGroups;
      total.droppedEvents += stats.droppedEvents;
      total.lateEvents += stats.lateEvents;
      total.missingFields += stats.missingFields;
      more.badTimes += stats.badTimes;
      more.alerts += stats.alerts;
    }
    return { ...total, ...more, tenants: this.engines.size };
  }

  /** Every tenant's correlation state (JSON), for a restart. */
  snapshot(takenAtMs?: number): Record<string, CorrelationSnapshot> {
    const out: Record<string, CorrelationSnapshot> = {};
    for (const [tenantId, engine] of this.engines) out[tenantId] = engine.snapshot(takenAtMs);
    return out;
  }

  /**
   * Takes back tenants' correlation state from `snapshot()`. A tenant whose snapshot is malformed starts
   * empty; returns the tenants restored and those skipped with the reason.
   */
  restore(snapshot: Record<string, unknown>): {
    restored: string[];
    failed: Array<{ tenantId: string; error: string }>;
  } {
    const restored: string[] = [];
    const failed: Array<{ tenantId: string; error: string }> = [];
    if (!this.probe) return { restored, failed };
    for (const [tenantId, state] of Object.entries(snapshot)) {
      const engine = this.newEngine(tenantId);
      try {
        engine.restore(state);
        this.engines.set(tenantId, engine);
        restored.push(tenantId);
      } catch (error) {
        failed.push({ tenantId, error: (error as Error).message });
      }
    }
    return { restored, failed };
  }

  private addHit(
    tenantId: string,
    rule: AlertRuleInfo,
    hit: SigmaHit,
    alerts: Map<string, DetectionAlert>,
    out: DetectionAlert[],
  ): void {
    const dedupeKey = this.dedupeKey(rule, hit, hit.ref.agentId);
    const existing = alerts.get(dedupeKey);
    if (existing) {
      addEvent(existing, hit.ref.agentId, hit.ref.seq, hit.ref.timeUs, this.maxEvents);
      return;
    }
    const alert = this.newAlert(tenantId, rule, dedupeKey, hit.ref, hit);
    alerts.set(dedupeKey, alert);
    out.push(alert);
  }

  /** addHit for each event of a group, in order (the hits of a group share their host). */
  private addGroup(
    tenantId: string,
    rule: AlertRuleInfo,
    group: SigmaHitGroup,
    alerts: Map<string, DetectionAlert>,
    out: DetectionAlert[],
  ): void {
    const { agentId, refs } = group;
    if (refs.length < 2) return;
    const dedupeKey = this.dedupeKey(rule, group, agentId);
    let alert = alerts.get(dedupeKey);
    let from = 0;
    if (!alert) {
      const first = { agentId, seq: refs[0] as number, timeUs: refs[1] as number };
      alert = this.newAlert(tenantId, rule, dedupeKey, first, group);
      alerts.set(dedupeKey, alert);
      out.push(alert);
      from = 2;
    }
    for (let i = from; i + 1 < refs.length; i += 2) {
      addEvent(alert, agentId, refs[i] as number, refs[i + 1] as number, this.maxEvents);
    }
  }

  /** A detection rule's alerts are per rule and entity (the host, else the agent). */
  private dedupeKey(
    rule: AlertRuleInfo,
    host: { hostName?: string; hostId?: string },
    agentId: string,
  ): string {
    const entity = hitEntity(host.hostId, host.hostName, agentId);
    return (rule.ruleset ?? 'sigma') === 'sigma' ? `sigma:${rule.key}:${entity}` : `${rule.key}:${entity}`;
  }

  /** A detection rule's alert with its first event. */
  private newAlert(
    tenantId: string,
    rule: AlertRuleInfo,
    dedupeKey: string,
    ref: AlertEventRef,
    host: { hostName?: string; hostId?: string },
  ): DetectionAlert {
    const attack = parseAttackTags(rule.tags);
    const alert: DetectionAlert = {
      tenantId,
      dedupeKey,
      ruleset: rule.ruleset ?? 'sigma',
      ruleId: rule.key,
      ruleName: rule.title,
      severity: severityOf(rule.level),
      title: host.hostName ? `${rule.title} on ${host.hostName}` : rule.title,
      description: rule.description ?? '',
      tactics: attack.tactics,
      techniques: attack.techniques,
      tags: [...rule.tags],
      agentId: ref.agentId,
      firstSeenUs: ref.timeUs,
      lastSeenUs: ref.timeUs,
      count: 1,
      events: [ref],
    };
    if (host.hostName) alert.hostName = host.hostName;
    if (host.hostId) alert.hostId = host.hostId;
    return alert;
  }

  private correlationAlert(
    tenantId: string,
    fired: CorrelationAlert,
    trigger: { hostName?: string; hostId?: string } | undefined,
  ): DetectionAlert | undefined {
    const candidates = this.correlationsOf(tenantId);
    const doc =
      (fired.correlationId !== undefined
        ? candidates.find((c) => c.id === fired.correlationId)
        : fired.correlationName !== undefined
          ? candidates.find((c) => c.name === fired.correlationName)
          : undefined) ?? candidates.find((c) => c.id === undefined && c.title === fired.title);
    const key = fired.correlationId ?? fired.correlationName ?? `title:${fired.title}`;
    if (!this.enabled(tenantId, key)) return undefined;
    const tags = doc?.tags ?? [];
    const attack = parseAttackTags(tags);
    const groupValues = Object.entries(fired.groupBy);
    const group = groupValues.map(([field, value]) => `${field}=${value}`).join(',');
    const events = fired.refs
      .map(refOf)
      .filter((ref): ref is AlertEventRef => ref !== undefined)
      .slice(0, this.maxEvents);
    const agents = new Set(events.map((ref) => ref.agentId));
    const alert: DetectionAlert = {
      tenantId,
      dedupeKey: `correlation:${key}:${group}`,
      ruleset: 'correlation',
      ruleId: key,
      ruleName: fired.title,
      severity: severityOf(fired.level as SigmaLevel | undefined),
      title: group ? `${fired.title} (${groupValues.map(([, v]) => v).join(', ')})` : fired.title,
      description: doc?.description ?? '',
      tactics: attack.tactics,
      techniques: attack.techniques,
      tags: [...tags],
      groupBy: { ...fired.groupBy },
      firstSeenUs: Math.round(fired.firstSeenMs * 1000),
      lastSeenUs: Math.round(fired.lastSeenMs * 1000),
      count: fired.count,
      events,
    };
    const [onlyAgent] = agents;
    if (agents.size === 1 && onlyAgent !== undefined) alert.agentId = onlyAgent;
    if (trigger && agents.size <= 1) {
      if (trigger.hostName) alert.hostName = trigger.hostName;
      if (trigger.hostId) alert.hostId = trigger.hostId;
    }
    return alert;
  }
}

/** Counts one more event of an alert's rule and entity: count, first/last seen, the first events kept. */
function addEvent(
  alert: DetectionAlert,
  agentId: string,
  seq: number,
  timeUs: number,
  maxEvents: number,
): void {
  alert.count++;
  alert.firstSeenUs = Math.min(alert.firstSeenUs, timeUs);
  alert.lastSeenUs = Math.max(alert.lastSeenUs, timeUs);
  if (alert.events.length < maxEvents) alert.events.push({ agentId, seq, timeUs });
}

/** The alert facts of compiled detection rules. */
export function alertRuleInfo(
  rules: ReadonlyArray<{
    id: string | undefined;
    name: string | undefined;
    title: string;
    level: SigmaLevel | undefined;
    tags: readonly string[];
    document: { description?: string };
  }>,
): AlertRuleInfo[] {
  return rules.map((rule) => ({
    key: rule.id ?? `title:${rule.title}`,
    ...(rule.name ? { name: rule.name } : {}),
    title: rule.title,
    ...(rule.document.description ? { description: rule.document.description } : {}),
    ...(rule.level ? { level: rule.level } : {}),
    tags: rule.tags,
  }));
}
