// What the engine keeps of a detection rule: its identity, its log source, its compiled test and its
// prefilter.
import type { SigmaLevel, SigmaRuleDocument, SigmaStatus } from '../loader/index.js';
import type { EventPredicate } from '../sigma-types.js';

/**
 * A rule's prefilter: alternatives (ORed), each a list of lower-cased literals (ANDed) that an event must
 * all contain (each inside the lower-cased text of some string, number or boolean value of the event) for
 * the rule to possibly match. Each alternative is sorted longest literal first: its first literal is the
 * anchor the rule set indexes. `undefined`: the rule must always be evaluated.
 */
export type RulePrefilter = string[][];

/** A detection rule compiled for evaluation. */
export interface CompiledRule {
  /** The rule's `id`; undefined for a rule without one. */
  readonly id: string | undefined;
  /** The rule's `name` (what correlation rules may use instead of the id). */
  readonly name: string | undefined;
  readonly title: string;
  readonly level: SigmaLevel | undefined;
  readonly status: SigmaStatus | undefined;
  readonly tags: readonly string[];
  readonly logsource: { readonly product?: string; readonly category?: string; readonly service?: string };
  /** The rule's log-source index key: see {@link logsourceKey}. */
  readonly logsourceKey: string;
  /** True when the event matches the rule's detection (and no global filter applied to it suppresses it). */
  readonly test: EventPredicate;
  readonly prefilter: RulePrefilter | undefined;
  /** The event field names the rule reads (after field mapping); keyword searches add none. */
  readonly fields: readonly string[];
  /** True when the rule searches every value of the event (keywords). */
  readonly readsAllFields: boolean;
  /** The ids of the global filters applied to the rule. */
  readonly filters: readonly string[];
  readonly document: SigmaRuleDocument;
}
