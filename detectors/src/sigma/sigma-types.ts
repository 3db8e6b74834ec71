// The types the Sigma engine's parts share: the loader (rule-loader), the detection-item compiler
// (modifiers, values, selections), the condition compiler and the engine that indexes compiled rules.
import { InosecError } from '@inosec/protos';

/**
 * A log event as rules see it: a JSON object. Our normalised events (flattened to the field names of the
 * log-source mapping) and raw JSON log records (the field names rules use) both take this form.
 */
export type SigmaEvent = Readonly<Record<string, unknown>>;

/** A compiled test of one event. */
export type EventPredicate = (event: SigmaEvent) => boolean;

/** A scalar value of a detection item, as YAML gives it. */
export type SigmaScalar = string | number | boolean | null;

/** Reads one field's value from an event (compiled once per field name; see field-reader.ts). */
export type FieldReader = (event: SigmaEvent) => unknown;

/** What compiling a rule may need from outside the rule. */
export interface CompileOptions {
  /** Values of `%name%` placeholders for the `expand` modifier, by name without the `%`. */
  placeholders?: ReadonlyMap<string, readonly string[]>;
  /** The event's field name for a rule's field name (a log source's field mapping); identity when absent. */
  fieldName?: (field: string) => string;
  /** Longest time one regular-expression test may take, for engines that are not linear-time (ms). */
  regexTimeBudgetMs?: number;
}

/** Where in a rule a problem is: the file, the rule id, and the path of the offending key. */
export interface RuleLocation {
  file?: string;
  ruleId?: string;
  /** The offending key, as a path: `detection.selection.CommandLine|contains|foo`. */
  key?: string;
}

/** A rule that is wrong: it does not parse, does not validate, or uses something the spec does not have. */
export class SigmaRuleError extends InosecError {
  readonly location: RuleLocation;

  constructor(message: string, location: RuleLocation = {}, options?: { cause?: unknown }) {
    super('sigma_rule_invalid', `${describeLocation(location)}${message}`, options);
    this.location = location;
  }
}

/** A valid rule this engine cannot evaluate as written (a log source or field it cannot map, ...). */
export class SigmaUnsupportedError extends InosecError {
  readonly location: RuleLocation;

  constructor(
    readonly reason: string,
    message: string,
    location: RuleLocation = {},
  ) {
    super('sigma_rule_unsupported', `${describeLocation(location)}${message}`);
    this.location = location;
  }
}

function describeLocation(location: RuleLocation): string {
  const parts = [
    location.file,
    location.ruleId && `rule ${location.ruleId}`,
    location.key && `at ${location.key}`,
  ];
  const text = parts.filter(Boolean).join(', ');
  return text ? `${text}: ` : '';
}
