// Loading rule directories into a rule set: every detection rule compiled, global filters applied, and
// every rule that cannot be used reported (never loaded as if it worked).
import type {
  SigmaCorrelationDocument,
  SigmaFilterDocument,
  SigmaRuleDocument,
  SigmaRuleWarning,
} from '../loader/index.js';
import { loadRuleDirectory, parseRuleText, type ParseResult } from '../loader/index.js';
import { SigmaRuleError, SigmaUnsupportedError, type CompileOptions } from '../sigma-types.js';
import type { CompiledRule } from './compiled-rule.js';
import { applyFilters, compileFilter, type CompiledFilter } from './filter-compiler.js';
import { compileRule } from './rule-compiler.js';
import { RuleSet } from './rule-set.js';

/** Options of loadRuleSet: the compile options of every rule, or of each rule. */
export interface LoadRuleSetOptions extends CompileOptions {
  /**
   * The compile options of one rule or filter (e.g. its log source's field mapping), replacing the
   * options above; may throw SigmaUnsupportedError for a rule that cannot be used (an unmapped log source).
   */
  optionsFor?: (doc: SigmaRuleDocument | SigmaFilterDocument) => CompileOptions;
}

/** A rule left out because this engine cannot evaluate it. */
export interface UnsupportedRule {
  id: string | undefined;
  title: string | undefined;
  file: string | undefined;
  reason: string;
  message: string;
  /** The offending key (`logsource`, `detection.selection.Image|re`), when the problem has one. */
  key?: string;
}

/** A rule or file left out because it is wrong. */
export interface RuleLoadError {
  file: string | undefined;
  id: string | undefined;
  message: string;
  /** The offending key, when the problem has one. */
  key?: string;
}

/** What loadRuleSet did. */
export interface RuleSetLoadReport {
  /** Detection rules compiled into the set. */
  loaded: number;
  /** Global filters applied. */
  filters: number;
  unsupported: UnsupportedRule[];
  errors: RuleLoadError[];
  warnings: SigmaRuleWarning[];
}

/** The result of loadRuleSet. */
export interface LoadedRuleSet {
  ruleSet: RuleSet;
  report: RuleSetLoadReport;
  /** The correlation rules found, for the correlation engine (not part of the rule set). */
  correlations: SigmaCorrelationDocument[];
}

/**
 * Loads every rule file under `dirs`, compiles its detection rules (compileRule) and global filters, and
 * indexes the rules in a RuleSet. A document that does not load (loader errors), does not compile
 * (SigmaRuleError) or cannot be evaluated (SigmaUnsupportedError) is reported and left out; a filter that
 * does not compile is reported and not applied. Other exceptions (bugs) propagate.
 */
export async function loadRuleSet(
  dirs: readonly string[],
  options: LoadRuleSetOptions = {},
): Promise<LoadedRuleSet> {
  const parsed: ParseResult[] = [];
  for (const dir of dirs) parsed.push(await loadRuleDirectory(dir));
  return compileParsed(parsed, options);
}

/** A rule file given as text (a tenant's uploaded rule): `name` is what reports call its file. */
export interface RuleText {
  name: string;
  text: string;
}

/**
 * loadRuleSet for rules given as text: each parsed (multi-document files and collections included),
 * compiled and reported the same way. A rule id used twice is an error on the later document.
 */
export function loadRuleTexts(texts: readonly RuleText[], options: LoadRuleSetOptions = {}): LoadedRuleSet {
  const seen = new Map<string, string>();
  const parsed = texts.map(({ name, text }) => {
    const result = parseRuleText(text, name);
    const documents = result.documents.filter((doc) => {
      if (doc.id === undefined) return true;
      const first = seen.get(doc.id);
      if (first === undefined) {
        seen.set(doc.id, name);
        return true;
      }
      result.errors.push(
        new SigmaRuleError(`rule id is already used by a rule in ${first}; this rule is not loaded`, {
          file: name,
          ruleId: doc.id,
          key: 'id',
        }),
      );
      return false;
    });
    return { ...result, documents };
  });
  return compileParsed(parsed, options);
}

function compileParsed(parsedFiles: readonly ParseResult[], options: LoadRuleSetOptions): LoadedRuleSet {
  const report: RuleSetLoadReport = { loaded: 0, filters: 0, unsupported: [], errors: [], warnings: [] };
  const correlations: SigmaCorrelationDocument[] = [];
  const rules: CompiledRule[] = [];
  const filters: CompiledFilter[] = [];
  const { optionsFor, ...shared } = options;
  const optionsOf = (doc: SigmaRuleDocument | SigmaFilterDocument): CompileOptions =>
    optionsFor ? optionsFor(doc) : shared;

  for (const loaded of parsedFiles) {
    report.warnings.push(...loaded.warnings);
    for (const error of loaded.errors) {
      report.errors.push({
        file: error.location.file,
        id: error.location.ruleId,
        message: error.message,
        ...(error.location.key ? { key: error.location.key } : {}),
      });
    }
    for (const doc of loaded.documents) {
      if (doc.kind === 'correlation') {
        correlations.push(doc);
        continue;
      }
      const compile = (options: CompileOptions) => {
        if (doc.kind === 'detection') rules.push(compileRule(doc, options));
        else filters.push(compileFilter(doc, options));
      };
      let options: CompileOptions;
      try {
        options = optionsOf(doc);
      } catch (error) {
        if (!(error instanceof SigmaUnsupportedError)) throw error;
        // A rule this deployment cannot feed may still be wrong: a wrong rule is reported as an error first.
        try {
          if (doc.kind === 'detection') compileRule(doc, shared);
          else compileFilter(doc, shared);
        } catch (compileError) {
          if (compileError instanceof SigmaRuleError) {
            recordFailure(compileError, doc, report);
            continue;
          }
        }
        recordFailure(error, doc, report);
        continue;
      }
      try {
        compile(options);
      } catch (error) {
        if (!recordFailure(error, doc, report)) throw error;
      }
    }
  }
  const filtered = applyFilters(rules, filters);
  report.loaded = filtered.length;
  report.filters = filters.length;
  return { ruleSet: new RuleSet(filtered), report, correlations };
}

/** Records an expected compile failure; false for anything else. */
function recordFailure(
  error: unknown,
  doc: SigmaRuleDocument | SigmaFilterDocument,
  report: RuleSetLoadReport,
): boolean {
  if (error instanceof SigmaUnsupportedError) {
    report.unsupported.push({
      id: doc.id,
      title: doc.title,
      file: doc.file,
      reason: error.reason,
      message: error.message,
      ...(error.location.key ? { key: error.location.key } : {}),
    });
    return true;
  }
  if (error instanceof SigmaRuleError) {
    report.errors.push({
      file: doc.file,
      id: doc.id,
      message: error.message,
      ...(error.location.key ? { key: error.location.key } : {}),
    });
    return true;
  }
  return false;
}
