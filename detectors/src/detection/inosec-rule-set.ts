// Loading rule directories for InoSec's events: each rule's log source resolved through the log-source table
// (docs/detection-logsources.md), and a rule whose log source or fields InoSec's events cannot feed reported
// as unsupported with the reason, never loaded as if it worked.
import { fileURLToPath } from 'node:url';
import type { SigmaFilterDocument, SigmaRuleDocument } from '../sigma/loader/index.js';
import { loadRuleSet, loadRuleTexts, type LoadedRuleSet, type RuleText } from '../sigma/engine/index.js';
import {
  detectionFieldNames,
  isResolved,
  resolveLogSource,
  unmappedFields,
} from '../sigma/logsource/index.js';
import { SHIPPED_SIGMA_RULES_DIR } from '../sigma/shipped-rules.js';
import { SigmaUnsupportedError, type CompileOptions } from '../sigma/sigma-types.js';

/** InoSec's own rules (correlations over the shipped detections, auth-log rules): `detectors/rules/inosec`. */
export const INOSEC_RULES_DIR = fileURLToPath(new URL('../../rules/inosec/', import.meta.url));

/** The default rule set of a collector: SigmaHQ's Linux, network and web rules, and InoSec's own. */
export const DEFAULT_RULE_DIRS: readonly string[] = [SHIPPED_SIGMA_RULES_DIR, INOSEC_RULES_DIR];

/**
 * The compile options of a rule or filter for InoSec's events; throws SigmaUnsupportedError when its log
 * source is not fed (reason: the table's code, e.g. `product_not_collected`) or when it reads a field the log
 * source's events never carry (`unmapped_field`, naming the fields).
 */
export function inosecCompileOptions(
  doc: SigmaRuleDocument | SigmaFilterDocument,
  shared: CompileOptions = {},
): CompileOptions {
  const location = { ...(doc.file ? { file: doc.file } : {}), ...(doc.id ? { ruleId: doc.id } : {}) };
  const resolved = resolveLogSource(doc.logsource);
  if (!isResolved(resolved)) {
    throw new SigmaUnsupportedError(resolved.unsupported, resolved.detail, { ...location, key: 'logsource' });
  }
  const missing = unmappedFields(resolved.key, detectionFieldNames(doc.detection));
  if (missing.length > 0) {
    throw new SigmaUnsupportedError(
      'unmapped_field',
      `${resolved.key} events carry no ${missing.join(', ')}`,
      { ...location, key: `detection (${missing.join(', ')})` },
    );
  }
  return shared;
}

/** Loads rule directories as InoSec evaluates them: loadRuleSet with the log-source mapping applied. */
export function loadInosecRuleSet(
  dirs: readonly string[] = DEFAULT_RULE_DIRS,
  options: CompileOptions = {},
): Promise<LoadedRuleSet> {
  return loadRuleSet(dirs, { ...options, optionsFor: (doc) => inosecCompileOptions(doc, options) });
}

/** Rules given as text (a tenant's own rules) as InoSec evaluates them: loadRuleTexts with the mapping applied. */
export function loadInosecRuleTexts(texts: readonly RuleText[], options: CompileOptions = {}): LoadedRuleSet {
  return loadRuleTexts(texts, { ...options, optionsFor: (doc) => inosecCompileOptions(doc, options) });
}
