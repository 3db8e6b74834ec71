// What the rules API does on top of TenantRulesService: the catalogue (shipped and tenant rules with their
// switches and alert figures), and every change audited in the transaction that stores it.
import { Inject, Injectable } from '@nestjs/common';
import { parseRuleText } from '@inosec/detectors';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { NotFoundProblem, UnprocessableProblem, type FieldIssue } from '../http/problems.js';
import { auditActor, type Actor } from '../alerts/request-actor.js';
import { RuleValidationError } from './tenant-rule-errors.js';
import {
  catalogueEntry,
  type RuleCatalogueEntry,
  type RuleFileValidation,
} from './tenant-rule-validation.js';
import { CUSTOM_RULE_PREFIX, type TenantRuleRecord } from './tenant-rules.repository.js';
import { TenantRulesService } from './tenant-rules.service.js';
import { ruleStats, type RuleStats } from './rule-stats.repository.js';

/** A rule as the API lists it. */
export interface RuleListItem extends RuleCatalogueEntry {
  source: 'shipped' | 'tenant';
  /** The tenant file holding the rule (its slug); null for shipped rules. */
  file: string | null;
  enabled: boolean;
  stats: RuleStats;
}

/** A tenant rule file's summary. */
export interface RuleFileSummary {
  slug: string;
  ruleKey: string;
  enabled: boolean;
  rules: number;
  createdAt: string;
  updatedAt: string;
}

const NO_STATS: RuleStats = { alerts: 0, open: 0, hits: 0, lastSeen: null };

/** The rules API's filters. */
export interface RuleListFilters {
  q?: string | undefined;
  source?: 'shipped' | 'tenant' | undefined;
  enabled?: boolean | undefined;
}

@Injectable()
export class RulesApiService {
  constructor(
    @Inject(TenantRulesService) private readonly rules: TenantRulesService,
    @Inject(TenantDb) private readonly db: TenantDb,
  ) {}

  /** Shipped and tenant rules with their enabled state and alert figures, and the tenant's files. */
  async list(
    actor: Actor,
    filters: RuleListFilters,
  ): Promise<{ items: RuleListItem[]; files: RuleFileSummary[] }> {
    const [shipped, records, stats] = await Promise.all([
      this.rules.shippedRules(),
      this.rules.list(actor.tenantId),
      this.db.tx(actor, (client) => ruleStats(client, actor.tenantId)),
    ]);
    const switchedOff = new Set(records.filter((r) => r.source === null && !r.enabled).map((r) => r.ruleKey));
    const items: RuleListItem[] = shipped.catalogue.map((entry) => ({
      ...entry,
      source: 'shipped',
      file: null,
      enabled: !switchedOff.has(entry.key),
      stats: stats.get(entry.key) ?? NO_STATS,
    }));
    const files: RuleFileSummary[] = [];
    for (const record of records) {
      if (record.source === null) continue;
      const slug = record.ruleKey.slice(CUSTOM_RULE_PREFIX.length);
      const entries = fileRules(record);
      files.push({ ...summary(record), rules: entries.length });
      for (const entry of entries) {
        items.push({
          ...entry,
          source: 'tenant',
          file: slug,
          enabled: record.enabled && !switchedOff.has(entry.key),
          stats: stats.get(entry.key) ?? NO_STATS,
        });
      }
    }
    const q = filters.q?.toLowerCase();
    return {
      items: items.filter(
        (item) =>
          (q === undefined || item.title.toLowerCase().includes(q) || item.key.toLowerCase().includes(q)) &&
          (filters.source === undefined || item.source === filters.source) &&
          (filters.enabled === undefined || item.enabled === filters.enabled),
      ),
      files,
    };
  }

  /** Switches a rule (or a whole file, `custom:<slug>`) on or off. */
  async setEnabled(
    actor: Actor,
    ruleKey: string,
    enabled: boolean,
  ): Promise<{ ruleKey: string; enabled: boolean }> {
    await this.rules.setEnabled(actor.tenantId, ruleKey, enabled, {
      within: (client) =>
        recordAudit(client, {
          ...auditActor(actor),
          action: enabled ? 'rule.enable' : 'rule.disable',
          resourceType: 'rule',
          resourceId: ruleKey,
          outcome: 'success',
        }),
    });
    return { ruleKey, enabled };
  }

  /** Validates and stores a rule file; 422 listing every problem when it is refused. */
  async upload(
    actor: Actor,
    slug: string,
    text: string,
    enabled: boolean,
  ): Promise<
    RuleFileSummary & { loaded: RuleFileValidation['rules']; warnings: RuleFileValidation['warnings'] }
  > {
    try {
      const { record, validation } = await this.rules.upload(actor.tenantId, slug, text, {
        enabled,
        within: (client, stored) =>
          recordAudit(client, {
            ...auditActor(actor),
            action: 'rule.upload',
            resourceType: 'rule_file',
            resourceId: stored.ruleKey,
            outcome: 'success',
            details: { rules: fileRules(stored).length, enabled, bytes: Buffer.byteLength(text) },
          }),
      });
      return {
        ...summary(record),
        rules: validation.rules.length,
        loaded: validation.rules,
        warnings: validation.warnings,
      };
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      await this.db.tx(actor, (client) =>
        recordAudit(client, {
          ...auditActor(actor),
          action: 'rule.upload',
          resourceType: 'rule_file',
          resourceId: `${CUSTOM_RULE_PREFIX}${slug}`,
          outcome: 'failure',
          details: { problems: error.validation.errors.length + error.validation.unsupported.length },
        }),
      );
      throw new UnprocessableProblem(error.message, problemsOf(error.validation), 'rule_file_invalid');
    }
  }

  /** One rule file with its text. */
  async file(
    actor: Actor,
    slug: string,
  ): Promise<RuleFileSummary & { text: string; loaded: RuleCatalogueEntry[] }> {
    const record = (await this.rules.list(actor.tenantId)).find(
      (r) => r.source !== null && r.ruleKey === `${CUSTOM_RULE_PREFIX}${slug}`,
    );
    if (record?.source == null) throw new NotFoundProblem('rule file');
    const loaded = fileRules(record);
    return { ...summary(record), rules: loaded.length, text: record.source, loaded };
  }

  /** Deletes a rule file. */
  async remove(actor: Actor, slug: string): Promise<void> {
    await this.rules.remove(actor.tenantId, slug, {
      within: (client) =>
        recordAudit(client, {
          ...auditActor(actor),
          action: 'rule.delete',
          resourceType: 'rule_file',
          resourceId: `${CUSTOM_RULE_PREFIX}${slug}`,
          outcome: 'success',
        }),
    });
  }
}

function summary(record: TenantRuleRecord): RuleFileSummary {
  return {
    slug: record.ruleKey.slice(CUSTOM_RULE_PREFIX.length),
    ruleKey: record.ruleKey,
    enabled: record.enabled,
    rules: 0,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** The rules of a stored (validated) file. */
function fileRules(record: TenantRuleRecord): RuleCatalogueEntry[] {
  if (record.source === null) return [];
  return parseRuleText(record.source, record.ruleKey)
    .documents.filter((doc) => doc.kind !== 'filter')
    .map((doc) => catalogueEntry(doc));
}

/** Every problem of a refused file, as problem+json `errors` (path: where in the file). */
function problemsOf(validation: RuleFileValidation): FieldIssue[] {
  const where = (ruleId: string | undefined, key: string | undefined) =>
    `body.text${ruleId !== undefined ? `[${ruleId}]` : ''}${key !== undefined ? `.${key}` : ''}`;
  return [
    ...validation.errors.map((e) => ({ path: where(e.ruleId, e.key), message: e.message })),
    ...validation.unsupported.map((u) => ({
      path: where(u.ruleId, u.key),
      message: `${u.message} (${u.reason})`,
    })),
  ];
}
