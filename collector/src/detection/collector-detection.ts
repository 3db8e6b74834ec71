import {
  AlertBuilder,
  alertRuleInfo,
  loadInosecRuleSet,
  type DetectionAlert,
  type RuleSet,
  type RuleSetLoadReport,
  type SigmaHit,
} from '@inosec/detectors';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import { raiseAlerts, type StoredAlert } from '../storage/alert.repository.js';
import type { AlertSource } from '../storage/telemetry-writer.js';
import { listTenantRules, tenantRulesVersion } from './tenant-rules.repository.js';

export interface CollectorDetectionOptions {
  pool: pg.Pool;
  logger: Logger;
  metrics: CollectorMetrics;
  /** The rule directories (every tenant's rule set). */
  ruleDirs: readonly string[];
  /** How often tenant rule settings are checked for changes, and correlation windows expired. */
  refreshIntervalMs?: number;
  /** Called with the alerts raised after each commit (the alert stream). */
  onAlerts?: (alerts: StoredAlert[]) => void;
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
  private timer: NodeJS.Timeout | undefined;

  private readonly builder: AlertBuilder;

  private constructor(
    private readonly options: CollectorDetectionOptions,
    readonly ruleSet: RuleSet,
    readonly report: RuleSetLoadReport,
    correlations: ConstructorParameters<typeof AlertBuilder>[0]['correlations'],
  ) {
    this.builder = new AlertBuilder({
      rules: alertRuleInfo(ruleSet.rules),
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
    const detection = new CollectorDetection(options, ruleSet, report, correlations);
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
    const interval = options.refreshIntervalMs ?? 5_000;
    detection.timer = setInterval(() => {
      void detection.tick();
    }, interval);
    detection.timer.unref();
    return detection;
  }

  /** False when the tenant switched the rule (detection or correlation key) off. */
  isEnabled(tenantId: string, ruleKey: string): boolean {
    return !this.disabled.get(tenantId)?.has(ruleKey);
  }

  /** AlertSource: called by the writer inside the transaction that stores the hits' events. */
  build(tenantId: string, hits: readonly SigmaHit[]): DetectionAlert[] {
    this.options.metrics.detectionHits.inc(hits.length);
    return this.builder.build(tenantId, hits);
  }

  /** Reads the tenants' rule settings when they changed. */
  async refreshSettings(): Promise<void> {
    const version = await tenantRulesVersion(this.options.pool);
    if (version === this.settingsVersion) return;
    const rows = await listTenantRules(this.options.pool);
    const disabled = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.enabled) continue;
      const set = disabled.get(row.tenantId) ?? new Set<string>();
      set.add(row.ruleKey);
      disabled.set(row.tenantId, set);
    }
    this.disabled = disabled;
    this.settingsVersion = version;
    this.options.logger.info({ settings: rows.length }, 'Tenant rule settings loaded');
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

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
