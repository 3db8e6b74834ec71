import {
  AlertBuilder,
  alertRuleInfo,
  hitGroupSize,
  iocRuleInfo,
  loadIocMatcher,
  type IocMatcher,
  loadInosecRuleSet,
  loadInosecRuleTexts,
  type RuleText,
  type DetectionAlert,
  type RuleSet,
  type RuleSetLoadReport,
  type SigmaHit,
  type SigmaHitGroup,
  type CorrelationReads,
} from '@inosec/detectors';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import { raiseAlerts, type StoredAlert } from '../storage/alert.repository.js';
import type { AlertSource } from '../storage/telemetry-writer.js';
import {
  listTenantRules,
  loadDetectionState,
  saveDetectionState,
  tenantRulesVersion,
} from './detection.repository.js';

/** What detection hands to a batch encoder (encoder-pool.ts's BatchEncoder). */
export interface DetectionEncoder {
  setTenantRules(tenantId: string, texts: readonly RuleText[]): void;
  setCorrelationReads(tenantId: string | null, reads: CorrelationReads | null): void;
}

export interface CollectorDetectionOptions {
  pool: pg.Pool;
  logger: Logger;
  metrics: CollectorMetrics;
  /** The rule directories (every tenant's rule set). */
  ruleDirs: readonly string[];
  /** Threat-intelligence feed files (CSV or STIX 2.1); each feed's hits raise alerts named after it. */
  iocFeeds?: readonly string[];
  /** How often tenant rule settings are checked for changes, and correlation windows expired. */
  refreshIntervalMs?: number;
  /** Called with the alerts raised after each commit (the alert stream). */
  onAlerts?: (alerts: StoredAlert[]) => void;
  /** Whose correlation state this is (saved and taken back under this id); none: not saved. */
  collectorId?: string;
  /** How often the correlation state is saved. Default 60 s. */
  saveIntervalMs?: number;
}

/**
 * The collector's detection: the rule set (loaded once here, and by each encode worker), tenant settings
 * (rules a tenant switched off), and the AlertBuilder that turns a tenant's matches into alerts, correlation
 * rules included. Correlation state lives in this process: what survives a restart is described in
 * docs/detection.md.
 */
export class CollectorDetection implements AlertSource {
  private disabled = new Map<string, Set<string>>();
  private settingsVersion = '';
  /** Tenants' own rule files as last compiled (tenant → texts), and their rule sets. */
  private readonly tenantTexts = new Map<string, RuleText[]>();
  private readonly tenantRuleSets = new Map<string, RuleSet>();
  private readonly encoders: DetectionEncoder[] = [];
  private timer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  private readonly builder: AlertBuilder;

  private constructor(
    private readonly options: CollectorDetectionOptions,
    readonly ruleSet: RuleSet,
    readonly report: RuleSetLoadReport,
    correlations: ConstructorParameters<typeof AlertBuilder>[0]['correlations'],
    /** The IOC feeds loaded on this thread (for batches encoded here). */
    readonly iocMatcher: IocMatcher | undefined,
    iocFeedNames: readonly string[],
  ) {
    this.builder = new AlertBuilder({
      rules: [...alertRuleInfo(ruleSet.rules), ...iocRuleInfo(iocFeedNames)],
      ...(correlations ? { correlations } : {}),
      isEnabled: (tenantId, key) => this.isEnabled(tenantId, key),
    });
  }

  /** Loads the rules, reports what did not load, reads the tenants' settings and starts the refresh. */
  static async start(options: CollectorDetectionOptions): Promise<CollectorDetection> {
    const { logger, metrics } = options;
    const started = performance.now();
    const { ruleSet, report, correlations } = await loadInosecRuleSet(options.ruleDirs);
    for (const error of report.errors) {
      logger.error({ file: error.file, ruleId: error.id }, `Rule not loaded: ${error.message}`);
    }
    const reasons: Record<string, number> = {};
    for (const rule of report.unsupported) reasons[rule.reason] = (reasons[rule.reason] ?? 0) + 1;
    let iocMatcher: IocMatcher | undefined;
    const feedNames: string[] = [];
    if (options.iocFeeds && options.iocFeeds.length > 0) {
      const loaded = await loadIocMatcher(options.iocFeeds);
      iocMatcher = loaded.matcher;
      for (const feed of loaded.feeds) {
        feedNames.push(feed.name);
        logger.info({ feed: feed.name, file: feed.file, ...summary(feed.report) }, 'IOC feed loaded');
      }
    }
    const detection = new CollectorDetection(options, ruleSet, report, correlations, iocMatcher, feedNames);
    const builder = detection.builder;
    for (const error of builder.correlationErrors) {
      logger.error({ ruleId: error.location.ruleId, file: error.location.file }, error.message);
    }
    metrics.rules.set({ state: 'loaded' }, report.loaded + builder.correlationCount);
    metrics.rules.set({ state: 'unsupported' }, report.unsupported.length);
    metrics.rules.set({ state: 'error' }, report.errors.length + builder.correlationErrors.length);
    logger.info(
      {
        dirs: options.ruleDirs,
        loaded: report.loaded,
        correlations: builder.correlationCount,
        unsupported: report.unsupported.length,
        unsupportedReasons: reasons,
        errors: report.errors.length + builder.correlationErrors.length,
        ms: Math.round(performance.now() - started),
      },
      'Detection rules loaded',
    );
    await detection.refreshSettings();
    await detection.restoreState();
    const interval = options.refreshIntervalMs ?? 5_000;
    detection.timer = setInterval(() => {
      void detection.tick();
    }, interval);
    detection.timer.unref();
    if (options.collectorId) {
      detection.saveTimer = setInterval(() => {
        detection.saveState().catch((error: unknown) => {
          logger.warn({ err: error }, 'Saving the correlation state failed; retrying later');
        });
      }, options.saveIntervalMs ?? 60_000);
      detection.saveTimer.unref();
    }
    return detection;
  }

  /** Saves every tenant's correlation state under the collector id (a no-op without one). */
  async saveState(nowMs = Date.now()): Promise<void> {
    const { collectorId } = this.options;
    if (!collectorId) return;
    await saveDetectionState(this.options.pool, collectorId, nowMs, this.builder.snapshot(nowMs));
  }

  /** Takes back the correlation state this collector saved last, for the correlations still loaded unchanged. */
  private async restoreState(): Promise<void> {
    const { collectorId, logger } = this.options;
    if (!collectorId) return;
    const saved = await loadDetectionState(this.options.pool, collectorId);
    if (!saved || saved.state === null || typeof saved.state !== 'object') return;
    const { restored, failed } = this.builder.restore(saved.state as Record<string, unknown>);
    for (const { tenantId, error } of failed) {
      logger.warn({ tenantId }, `Correlation state not restored: ${error}`);
    }
    logger.info(
      { tenants: restored.length, takenAt: saved.takenAt.toISOString() },
      'Correlation state restored',
    );
  }

  /** A tenant's own rules, compiled on this thread (for batches encoded here). */
  tenantRuleSet(tenantId: string): RuleSet | undefined {
    return this.tenantRuleSets.get(tenantId);
  }

  /**
   * The encoder whose workers get the tenants' own rules and what correlations read (now, and on every
   * change): with them, the hits of rules no correlation reads are aggregated where they are matched.
   */
  attachEncoder(encoder: DetectionEncoder): void {
    this.encoders.push(encoder);
    encoder.setCorrelationReads(null, this.builder.correlationReads());
    for (const [tenantId, texts] of this.tenantTexts) {
      encoder.setTenantRules(tenantId, texts);
      encoder.setCorrelationReads(tenantId, this.builder.correlationReads(tenantId));
    }
  }

  /** False when the tenant switched the rule (detection or correlation key) off. */
  isEnabled(tenantId: string, ruleKey: string): boolean {
    return !this.disabled.get(tenantId)?.has(ruleKey);
  }

  /**
   * AlertSource: called by the writer inside the transaction that stores the hits' events (`groups`: hits
   * aggregated on the encode worker).
   */
  build(
    tenantId: string,
    hits: readonly SigmaHit[],
    groups: readonly SigmaHitGroup[] = [],
  ): DetectionAlert[] {
    let count = hits.length;
    for (const group of groups) count += hitGroupSize(group);
    this.options.metrics.detectionHits.inc(count);
    return this.builder.build(tenantId, hits, groups);
  }

  /** Reads the tenants' rule settings when they changed. */
  async refreshSettings(): Promise<void> {
    const version = await tenantRulesVersion(this.options.pool);
    if (version === this.settingsVersion) return;
    const rows = await listTenantRules(this.options.pool);
    const disabled = new Map<string, Set<string>>();
    const texts = new Map<string, RuleText[]>();
    for (const row of rows) {
      if (row.source !== null) {
        if (!row.enabled) continue;
        const list = texts.get(row.tenantId) ?? [];
        list.push({ name: row.ruleKey, text: row.source });
        texts.set(row.tenantId, list);
        continue;
      }
      if (row.enabled) continue;
      const set = disabled.get(row.tenantId) ?? new Set<string>();
      set.add(row.ruleKey);
      disabled.set(row.tenantId, set);
    }
    this.disabled = disabled;
    for (const tenantId of new Set([...texts.keys(), ...this.tenantTexts.keys()])) {
      this.setTenantTexts(tenantId, texts.get(tenantId) ?? []);
    }
    this.settingsVersion = version;
    this.options.logger.info(
      { settings: rows.length, tenantsWithRules: texts.size },
      'Tenant rule settings loaded',
    );
  }

  /** Compiles a tenant's own rule files when they changed, and hands them to the builder and the workers. */
  private setTenantTexts(tenantId: string, texts: RuleText[]): void {
    const before = this.tenantTexts.get(tenantId) ?? [];
    const same =
      before.length === texts.length &&
      before.every((file, i) => file.name === texts[i]?.name && file.text === texts[i]?.text);
    if (same) return;
    const log = this.options.logger;
    if (texts.length === 0) {
      this.tenantTexts.delete(tenantId);
      this.tenantRuleSets.delete(tenantId);
      this.builder.setTenantRules(tenantId, []);
    } else {
      // Uploads were validated by the control plane; what still fails here (a rule edited in the database,
      // an engine that changed since) is logged and left out, and the tenant's other rules work.
      const { ruleSet, report, correlations } = loadInosecRuleTexts(texts);
      for (const error of report.errors) {
        log.error(
          { tenantId, file: error.file, ruleId: error.id },
          `Tenant rule not loaded: ${error.message}`,
        );
      }
      for (const rule of report.unsupported) {
        log.warn({ tenantId, file: rule.file, ruleId: rule.id, reason: rule.reason }, rule.message);
      }
      const correlationErrors = this.builder.setTenantRules(
        tenantId,
        alertRuleInfo(ruleSet.rules),
        correlations,
      );
      for (const error of correlationErrors)
        log.error({ tenantId }, `Tenant correlation not loaded: ${error.message}`);
      this.tenantTexts.set(tenantId, texts);
      this.tenantRuleSets.set(tenantId, ruleSet);
      log.info({ tenantId, rules: ruleSet.size, correlations: correlations.length }, 'Tenant rules loaded');
    }
    const reads = texts.length === 0 ? null : this.builder.correlationReads(tenantId);
    for (const encoder of this.encoders) {
      encoder.setTenantRules(tenantId, texts);
      encoder.setCorrelationReads(tenantId, reads);
    }
  }

  /** Writes the alerts of correlation windows that closed (conditions with an upper bound), in their own transaction. */
  async expire(nowMs = Date.now()): Promise<StoredAlert[]> {
    const alerts = this.builder.expire(nowMs);
    if (alerts.length === 0) return [];
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      const stored = await raiseAlerts(client, alerts);
      await client.query('COMMIT');
      this.recordStored(stored);
      return stored;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Counts stored alerts and passes them to the alert stream. */
  recordStored(stored: StoredAlert[]): void {
    for (const alert of stored) {
      this.options.metrics.alerts.inc({
        ruleset: alert.alert.ruleset,
        outcome: alert.inserted ? 'new' : 'merged',
      });
    }
    if (stored.length > 0) this.options.onAlerts?.(stored);
  }

  /** Correlation counters (groups held, evictions, late events), for logs and health. */
  stats(): ReturnType<AlertBuilder['stats']> {
    return this.builder.stats();
  }

  private async tick(): Promise<void> {
    try {
      await this.refreshSettings();
      await this.expire();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Detection refresh failed; retrying later');
    }
  }

  /** Stops the timers and saves the correlation state one last time. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.saveTimer) clearInterval(this.saveTimer);
    await this.saveState().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'Saving the correlation state at stop failed');
    });
  }
}

/** The counts of an IOC feed's load report, for the log. */
function summary(report: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(report)) {
    out[key] = Array.isArray(value) ? value.length : value;
  }
  return out;
}
