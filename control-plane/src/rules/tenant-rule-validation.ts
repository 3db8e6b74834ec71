// Validating a tenant's own Sigma rule file before it is stored: loaded exactly as the collector loads it
// (InoSec's log-source mapping applied), its correlations compiled against its own rules and the shipped
// ones, and every rule that is wrong, or that could never fire on InoSec's events, reported by name.
import {
  CorrelationEngine,
  loadInosecRuleSet,
  loadInosecRuleTexts,
  parseRuleText,
  ruleKey,
  SigmaUnsupportedError,
  type KnownRule,
  type SigmaCorrelationDocument,
  type SigmaRuleDocument,
} from '@inosec/detectors';

/** Largest rule file, in UTF-8 bytes (telemetry.tenant_rules' CHECK allows 262,144 characters). */
export const MAX_RULE_FILE_BYTES = 262_144;
/** Most YAML documents in one rule file. */
export const MAX_RULE_FILE_DOCUMENTS = 100;

/** One rule of a file that loaded. */
export interface ValidatedRule {
  id?: string;
  /** The rule's `name` (what correlations may refer to instead of the id). */
  name?: string;
  title: string;
  kind: 'detection' | 'correlation';
  level?: string;
}

/** A problem of the file: its message names the file, the document (rule id, else title) and the key. */
export interface RuleFileProblem {
  message: string;
  /** The document: the rule's id, else its title, else `document N`. */
  ruleId?: string;
  /** The offending key, as a path (`detection.selection.Image|foo`, `correlation.rules[0]`, `id`). */
  key?: string;
}

/** A valid rule InoSec cannot evaluate (it would never fire), with the reason code. */
export interface UnsupportedRuleProblem {
  ruleId?: string;
  title?: string;
  /** The offending key (`logsource`, `detection (LogonId)`, ...) when the message names one. */
  key?: string;
  /** `unknown_logsource`, `product_not_collected`, `unmapped_field`, `filter_in_tenant_file`, ... */
  reason: string;
  message: string;
}

/** What validateTenantRuleFile found. */
export interface RuleFileValidation {
  /** True when the file may be stored: rules loaded, no errors, nothing unsupported. */
  ok: boolean;
  rules: ValidatedRule[];
  errors: RuleFileProblem[];
  unsupported: UnsupportedRuleProblem[];
  /** Problems that do not stop a rule from working (SigmaHQ conventions a rule breaks). */
  warnings: RuleFileProblem[];
}

/** The rules InoSec ships: what a tenant's correlations may refer to, and the ids a tenant's rule must not take. */
export interface ShippedRules {
  /** Loaded detection rules, by id and name (correlation references). */
  known: KnownRule[];
  /** The shipped correlations (a tenant's correlation may refer to them, as the collector compiles both). */
  correlations: SigmaCorrelationDocument[];
  /** Rule key (id, else `title:<title>`; correlations: id, else name, else `title:<title>`) → title. */
  keys: ReadonlyMap<string, string>;
  /** Every id and name of a shipped rule or correlation (loaded or not) → its title. */
  identities: ReadonlyMap<string, string>;
  /** Every loaded shipped rule and correlation, by rule key (what the rules API lists). */
  catalogue: readonly RuleCatalogueEntry[];
}

/** A rule as the rules API lists it. */
export interface RuleCatalogueEntry {
  /** The rule key: id, else `title:<title>` (correlations: id, else name, else `title:<title>`). */
  key: string;
  title: string;
  kind: 'detection' | 'correlation';
  level?: string;
  status?: string;
  description?: string;
  tags: string[];
  logsource?: { product?: string; category?: string; service?: string };
}

/** The catalogue entry of a parsed or loaded rule document. */
export function catalogueEntry(
  doc:
    | Pick<
        SigmaRuleDocument,
        'kind' | 'id' | 'title' | 'level' | 'status' | 'description' | 'tags' | 'logsource'
      >
    | Pick<
        SigmaCorrelationDocument,
        'kind' | 'id' | 'name' | 'title' | 'level' | 'status' | 'description' | 'tags'
      >,
): RuleCatalogueEntry {
  const detection = doc.kind === 'detection';
  return {
    key: detection ? (doc.id ?? `title:${doc.title}`) : correlationKey(doc),
    title: doc.title,
    kind: doc.kind,
    ...(doc.level ? { level: doc.level } : {}),
    ...(doc.status ? { status: doc.status } : {}),
    ...(doc.description ? { description: doc.description } : {}),
    tags: [...doc.tags],
    ...(detection
      ? {
          logsource: {
            ...(doc.logsource.product ? { product: doc.logsource.product } : {}),
            ...(doc.logsource.category ? { category: doc.logsource.category } : {}),
            ...(doc.logsource.service ? { service: doc.logsource.service } : {}),
          },
        }
      : {}),
  };
}

/** Options of validateTenantRuleFile. */
export interface TenantRuleValidationOptions {
  /** Ids and names the tenant's other rule files already use → where (a file's rule key). */
  reserved?: ReadonlyMap<string, string>;
  /** The shipped rules; default: the collector's default rule set, loaded once (about a second). */
  shipped?: ShippedRules;
}

let shippedOnce: Promise<ShippedRules> | undefined;

/** The correlation's rule key, as the collector's alerts carry it (id, else name, else `title:<title>`). */
export function correlationKey(doc: Pick<SigmaCorrelationDocument, 'id' | 'name' | 'title'>): string {
  return doc.id ?? doc.name ?? `title:${doc.title}`;
}

/** The default shipped rule set (SigmaHQ's and InoSec's rules), loaded on first use and kept. */
export function shippedRules(): Promise<ShippedRules> {
  shippedOnce ??= loadShipped().catch((error: unknown) => {
    shippedOnce = undefined; // a failed load is retried by the next call
    throw error;
  });
  return shippedOnce;
}

async function loadShipped(): Promise<ShippedRules> {
  const { ruleSet, report, correlations } = await loadInosecRuleSet();
  const keys = new Map<string, string>();
  const identities = new Map<string, string>();
  const known: KnownRule[] = [];
  const catalogue: RuleCatalogueEntry[] = [];
  for (const rule of ruleSet.rules) {
    keys.set(ruleKey(rule), rule.title);
    catalogue.push({ ...catalogueEntry(rule.document), key: ruleKey(rule) });
    known.push({ ...(rule.id ? { id: rule.id } : {}), ...(rule.name ? { name: rule.name } : {}) });
    if (rule.id) identities.set(rule.id, rule.title);
    if (rule.name) identities.set(rule.name, rule.title);
  }
  for (const doc of correlations) {
    keys.set(correlationKey(doc), doc.title);
    catalogue.push(catalogueEntry(doc));
    if (doc.id) identities.set(doc.id, doc.title);
    if (doc.name) identities.set(doc.name, doc.title);
  }
  for (const rule of report.unsupported) {
    if (rule.id) identities.set(rule.id, rule.title ?? rule.id);
  }
  return { known, correlations, keys, identities, catalogue };
}

/**
 * Validates one tenant rule file (Sigma YAML: detection rules and correlations referring to them or to
 * shipped rules). `name` is what messages call the file (e.g. its rule key `custom:<slug>`). The file is
 * loaded with loadInosecRuleTexts (syntax, schema, modifiers, InoSec's log sources and fields) and its
 * correlations compiled with the shipped ones, as the collector does. `ok` is false when anything is wrong,
 * when a rule could never fire (unsupported), when nothing loaded, or when a rule takes the id or name of a
 * shipped rule or of another of the tenant's files. Never throws for bad input.
 */
export async function validateTenantRuleFile(
  name: string,
  text: string,
  options: TenantRuleValidationOptions = {},
): Promise<RuleFileValidation> {
  const result: RuleFileValidation = { ok: false, rules: [], errors: [], unsupported: [], warnings: [] };
  const limit = checkLimits(name, text);
  if (limit) {
    result.errors.push(limit);
    return result;
  }
  const shipped = options.shipped ?? (await shippedRules());
  const { ruleSet, report, correlations } = loadInosecRuleTexts([{ name, text }]);

  for (const error of report.errors) {
    result.errors.push({
      message: error.message,
      ...(error.id !== undefined ? { ruleId: error.id } : {}),
      ...(error.key ? { key: error.key } : {}),
    });
  }
  for (const rule of report.unsupported) {
    result.unsupported.push({
      ...(rule.id ? { ruleId: rule.id } : {}),
      ...(rule.title ? { title: rule.title } : {}),
      ...(rule.key ? { key: rule.key } : {}),
      reason: rule.reason,
      message: rule.message,
    });
  }
  for (const warning of report.warnings) {
    result.warnings.push({
      message: warning.message,
      ...(warning.ruleId ? { ruleId: warning.ruleId } : {}),
      ...(warning.key ? { key: warning.key } : {}),
    });
  }
  if (report.filters > 0) reportFilters(name, text, result);

  for (const rule of ruleSet.rules) {
    result.rules.push({
      ...(rule.id ? { id: rule.id } : {}),
      ...(rule.name ? { name: rule.name } : {}),
      title: rule.title,
      kind: 'detection',
      ...(rule.level ? { level: rule.level } : {}),
    });
  }
  for (const doc of correlations) {
    result.rules.push({
      ...(doc.id ? { id: doc.id } : {}),
      ...(doc.name ? { name: doc.name } : {}),
      title: doc.title,
      kind: 'correlation',
      ...(doc.level ? { level: doc.level } : {}),
    });
  }
  checkIdentities(name, result.rules, shipped, options.reserved ?? new Map(), result);
  if (correlations.length > 0) compileCorrelations(name, correlations, ruleSet.rules, shipped, result);

  if (result.rules.length === 0 && result.errors.length === 0 && result.unsupported.length === 0) {
    result.errors.push({ message: `${name}: the file holds no Sigma detection or correlation rule` });
  }
  result.ok = result.rules.length > 0 && result.errors.length === 0 && result.unsupported.length === 0;
  return result;
}

/** The size, document-count and character limits, checked before any parsing. */
function checkLimits(name: string, text: string): RuleFileProblem | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_RULE_FILE_BYTES) {
    return {
      message: `${name}: the file is ${bytes} bytes; a rule file holds at most ${MAX_RULE_FILE_BYTES} bytes (split it)`,
    };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    return { message: `${name}: the file contains a NUL character (offset ${nul}); rule files are text` };
  }
  const documents = countDocuments(text);
  if (documents > MAX_RULE_FILE_DOCUMENTS) {
    return {
      message: `${name}: the file holds ${documents} YAML documents; a rule file holds at most ${MAX_RULE_FILE_DOCUMENTS} (split it)`,
    };
  }
  return undefined;
}

/**
 * The number of YAML documents the text may hold (an upper bound): one per `---` marker at the start of a
 * line, plus one when content comes before the first marker. A marker at column 0 always starts a document.
 */
function countDocuments(text: string): number {
  const markers = [...text.matchAll(/^---(?=[ \t\r\n]|$)/gm)];
  const first = markers[0]?.index ?? text.length;
  const before = text
    .slice(0, first)
    .split('\n')
    .some((line) => !/^\s*(#.*|%.*|\.\.\.\s*)?$/.test(line));
  return markers.length + (before ? 1 : 0);
}

/**
 * Global filters are refused in tenant files: the collector applies a file's filters only to that file's
 * rules, so a filter meant for a shipped rule would silently do nothing.
 */
function reportFilters(name: string, text: string, result: RuleFileValidation): void {
  for (const doc of parseRuleText(text, name).documents) {
    if (doc.kind !== 'filter') continue;
    const label = doc.id ?? doc.title;
    result.unsupported.push({
      ...(doc.id ? { ruleId: doc.id } : {}),
      title: doc.title,
      key: 'filter',
      reason: 'filter_in_tenant_file',
      message:
        `${name}, rule ${label}, at filter: global filters are not taken in tenant rule files; ` +
        'put the exclusion in your rule, or switch the shipped rule off',
    });
  }
}

/** A rule's id or name must not be one of a shipped rule, nor one of the tenant's other files. */
function checkIdentities(
  name: string,
  rules: readonly ValidatedRule[],
  shipped: ShippedRules,
  reserved: ReadonlyMap<string, string>,
  result: RuleFileValidation,
): void {
  for (const rule of rules) {
    const label = rule.id ?? rule.title;
    for (const key of ['id', 'name'] as const) {
      const value = rule[key];
      if (value === undefined) continue;
      const shippedTitle = shipped.identities.get(value);
      const elsewhere = reserved.get(value);
      let why: string | undefined;
      if (shippedTitle !== undefined) {
        why = `'${value}' is the ${key} of the shipped rule '${shippedTitle}'; give your rule its own ${key} (to replace a shipped rule, switch it off)`;
      } else if (elsewhere !== undefined) {
        why = `'${value}' is already the ${key} of a rule in your file ${elsewhere}`;
      }
      if (why)
        result.errors.push({ message: `${name}, rule ${label}, at ${key}: ${why}`, ruleId: label, key });
    }
  }
}

/** Compiles the file's correlations with the shipped ones, as the collector's per-tenant engine does. */
function compileCorrelations(
  name: string,
  correlations: readonly SigmaCorrelationDocument[],
  ownRules: ReadonlyArray<{ id: string | undefined; name: string | undefined }>,
  shipped: ShippedRules,
  result: RuleFileValidation,
): void {
  const known: KnownRule[] = [
    ...shipped.known,
    ...ownRules.map((rule) => ({
      ...(rule.id ? { id: rule.id } : {}),
      ...(rule.name ? { name: rule.name } : {}),
    })),
  ];
  const engine = new CorrelationEngine([...shipped.correlations, ...correlations], known);
  for (const error of engine.errors) {
    if (error.location.file !== name) continue; // a shipped correlation's problem is not the tenant's
    const where = {
      ...(error.location.ruleId ? { ruleId: error.location.ruleId } : {}),
      ...(error.location.key ? { key: error.location.key } : {}),
    };
    if (error instanceof SigmaUnsupportedError) {
      const doc = correlations.find((c) => (c.id ?? c.name) === error.location.ruleId);
      result.unsupported.push({
        ...where,
        ...(doc ? { title: doc.title } : {}),
        reason: error.reason,
        message: error.message,
      });
    } else {
      result.errors.push({ message: error.message, ...where });
    }
  }
}
