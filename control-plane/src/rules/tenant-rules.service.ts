// A tenant's detection rules: its own Sigma rule files (validated before they are stored) and the switches of
// shipped rules. Input is checked here, at the boundary; storage is tenant-rules.repository.ts.
import { parseRuleText } from '@inosec/detectors';
import type pg from 'pg';
import {
  RuleValidationError,
  TenantRuleInputError,
  TenantRuleLimitError,
  TenantRuleNotFoundError,
} from './tenant-rule-errors.js';
import {
  correlationKey,
  shippedRules,
  validateTenantRuleFile,
  type RuleFileValidation,
  type ShippedRules,
} from './tenant-rule-validation.js';
import {
  CUSTOM_RULE_PREFIX,
  deleteRuleFile,
  listTenantRules,
  putRuleFile,
  setRuleEnabled,
  type InTransaction,
  type TenantRuleRecord,
} from './tenant-rules.repository.js';

/** A rule file's slug: what follows `custom:` in its rule key. */
export const RULE_FILE_SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Most rule files one tenant may hold. */
export const MAX_RULE_FILES_PER_TENANT = 200;
/** Longest rule key (telemetry.tenant_rules' CHECK). */
const MAX_RULE_KEY_LENGTH = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Options of TenantRulesService. */
export interface TenantRulesServiceOptions {
  /** The shipped rules (validation, and the keys that may be switched off); default: loaded once, lazily. */
  shipped?: () => Promise<ShippedRules>;
}

/** What upload stored. */
export interface RuleFileUpload {
  record: TenantRuleRecord;
  validation: RuleFileValidation;
}

/** The ids, names and rule keys of the rules in a tenant's stored files. */
interface OwnRules {
  /** Id or name → the file (rule key) that holds it. */
  identities: Map<string, string>;
  /** Rule keys of the files' rules (what may be switched off one by one). */
  keys: Set<string>;
}

/**
 * A tenant's rules. Rule files are stored as `custom:<slug>` rows only once validateTenantRuleFile accepts
 * them; a shipped rule (or one rule of the tenant's files) is switched off by its rule key (id, else
 * `title:<title>`) and back on by deleting that switch.
 */
export class TenantRulesService {
  private readonly shipped: () => Promise<ShippedRules>;

  /** `pool` must connect as a login role of `inosec_app` (Row Level Security applies), never as the owner. */
  constructor(
    private readonly pool: pg.Pool,
    options: TenantRulesServiceOptions = {},
  ) {
    this.shipped = options.shipped ?? shippedRules;
  }

  /**
   * Validates `text` and stores it as the tenant's rule file `custom:<slug>` (replacing one of that slug).
   * Throws RuleValidationError (nothing stored) when the file is refused, TenantRuleInputError for a bad
   * slug or tenant id, TenantRuleLimitError past MAX_RULE_FILES_PER_TENANT files.
   */
  async upload(
    tenantId: string,
    slug: string,
    text: string,
    options: { enabled?: boolean; within?: InTransaction<TenantRuleRecord> } = {},
  ): Promise<RuleFileUpload> {
    checkTenant(tenantId);
    checkSlug(slug);
    const key = `${CUSTOM_RULE_PREFIX}${slug}`;
    const records = await listTenantRules(this.pool, tenantId);
    const others = records.filter((r) => r.source !== null && r.ruleKey !== key);
    if (others.length >= MAX_RULE_FILES_PER_TENANT) {
      throw new TenantRuleLimitError(
        `the tenant holds ${others.length} rule files, the most allowed; delete one before adding ${key}`,
      );
    }
    const validation = await validateTenantRuleFile(key, text, {
      reserved: ownRules(others).identities,
      shipped: await this.shipped(),
    });
    if (!validation.ok) throw new RuleValidationError(key, validation);
    const record = await putRuleFile(
      this.pool,
      tenantId,
      slug,
      text,
      options.enabled ?? true,
      options.within,
    );
    return { record, validation };
  }

  /**
   * Switches a rule on or off: `custom:<slug>` switches a whole rule file; any other key a shipped rule or
   * correlation, or one rule of the tenant's files. Switching off needs a key some rule has
   * (TenantRuleNotFoundError otherwise: a typo must not pass for a switch); switching on always works (a
   * rule no longer shipped can be cleared). Returns the row now held, null when none (the default: on).
   */
  async setEnabled(
    tenantId: string,
    ruleKey: string,
    enabled: boolean,
    options: { within?: InTransaction<TenantRuleRecord | null> } = {},
  ): Promise<TenantRuleRecord | null> {
    checkTenant(tenantId);
    checkRuleKey(ruleKey);
    if (ruleKey.startsWith(CUSTOM_RULE_PREFIX)) {
      const record = await setRuleEnabled(this.pool, tenantId, ruleKey, enabled, async (client, found) => {
        if (found && options.within) await options.within(client, found);
      });
      if (!record) throw new TenantRuleNotFoundError(ruleKey, `the tenant has no rule file ${ruleKey}`);
      return record;
    }
    if (!enabled) {
      const shipped = await this.shipped();
      if (!shipped.keys.has(ruleKey)) {
        const records = await listTenantRules(this.pool, tenantId);
        const own = ownRules(records.filter((r) => r.source !== null));
        if (!own.keys.has(ruleKey)) {
          throw new TenantRuleNotFoundError(
            ruleKey,
            `no shipped rule nor rule of the tenant's files has the key '${ruleKey}' (a rule's id, or title:<title> for a rule without id)`,
          );
        }
      }
    }
    return setRuleEnabled(this.pool, tenantId, ruleKey, enabled, options.within);
  }

  /** The shipped rules (loaded once). */
  shippedRules(): Promise<ShippedRules> {
    return this.shipped();
  }

  /** The tenant's rows: switched-off rules (source null) and rule files (source: their YAML). */
  list(tenantId: string): Promise<TenantRuleRecord[]> {
    checkTenant(tenantId);
    return listTenantRules(this.pool, tenantId);
  }

  /** Deletes the tenant's rule file `custom:<slug>`; TenantRuleNotFoundError when there is none. */
  async remove(
    tenantId: string,
    slug: string,
    options: { within?: InTransaction<boolean> } = {},
  ): Promise<void> {
    checkTenant(tenantId);
    checkSlug(slug);
    if (!(await deleteRuleFile(this.pool, tenantId, slug, options.within))) {
      throw new TenantRuleNotFoundError(
        `${CUSTOM_RULE_PREFIX}${slug}`,
        `the tenant has no rule file ${CUSTOM_RULE_PREFIX}${slug}`,
      );
    }
  }
}

function checkTenant(tenantId: string): void {
  if (!UUID.test(tenantId))
    throw new TenantRuleInputError('tenantId', `'${tenantId}' is not a tenant id (UUID)`);
}

function checkSlug(slug: string): void {
  if (!RULE_FILE_SLUG.test(slug)) {
    throw new TenantRuleInputError(
      'slug',
      `'${slug.slice(0, 80)}' is not a rule file name: 1 to 63 of a-z, 0-9, '_' and '-', starting with a letter or digit`,
    );
  }
}

function checkRuleKey(ruleKey: string): void {
  if (ruleKey.length === 0 || ruleKey.length > MAX_RULE_KEY_LENGTH || ruleKey.trim() !== ruleKey) {
    throw new TenantRuleInputError(
      'ruleKey',
      `a rule key is 1 to ${MAX_RULE_KEY_LENGTH} characters without surrounding spaces`,
    );
  }
  if (ruleKey.startsWith(CUSTOM_RULE_PREFIX)) checkSlug(ruleKey.slice(CUSTOM_RULE_PREFIX.length));
}

/** The identities and keys of the rules in stored (already validated) rule files. */
function ownRules(files: readonly TenantRuleRecord[]): OwnRules {
  const own: OwnRules = { identities: new Map(), keys: new Set() };
  for (const file of files) {
    if (file.source === null) continue;
    for (const doc of parseRuleText(file.source, file.ruleKey).documents) {
      if (doc.kind === 'filter') continue;
      if (doc.id) own.identities.set(doc.id, file.ruleKey);
      if (doc.name) own.identities.set(doc.name, file.ruleKey);
      own.keys.add(doc.kind === 'correlation' ? correlationKey(doc) : (doc.id ?? `title:${doc.title}`));
    }
  }
  return own;
}
