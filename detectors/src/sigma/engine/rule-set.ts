// A set of compiled rules, indexed for evaluation: by log-source key, and by prefilter anchor.
import type { SigmaEvent } from '../sigma-types.js';
import type { CompiledRule } from './compiled-rule.js';
import { PrefilterIndex } from './prefilter-index.js';

/** Counts of a rule set, for logs and health reports. */
export interface RuleSetStats {
  rules: number;
  /** Rules evaluated on every event of their log source (no usable prefilter). */
  alwaysEvaluated: number;
  /** Distinct anchor literals (the longest of each prefilter alternative). */
  anchors: number;
  /** Distinct literals in the prefilter automaton (anchors and the others of their alternatives). */
  literals: number;
  /** States of the prefilter automaton. */
  automatonStates: number;
  logsourceKeys: number;
}

/**
 * Compiled rules indexed for fast evaluation. `evaluate` is not reentrant: one event at a time per rule
 * set (JavaScript's single thread makes that the natural use; give each worker its own rule set).
 */
export class RuleSet {
  readonly rules: readonly CompiledRule[];
  private readonly groupOf = new Map<string, number>();
  private readonly ruleGroup: Int32Array;
  /** Rules without a prefilter: all of them, and per group (offsets into `groupAlways`). */
  private readonly always: Int32Array;
  private readonly groupAlwaysStart: Int32Array;
  private readonly groupAlways: Int32Array;
  private readonly groupActive: Uint8Array;
  private readonly activeGroups: Int32Array;
  private readonly prefilter: PrefilterIndex;

  /** Indexes `rules` (kept in this order in `rules`). */
  constructor(rules: readonly CompiledRule[]) {
    this.rules = [...rules];
    this.ruleGroup = new Int32Array(this.rules.length);
    const alwaysByGroup: number[][] = [];
    const always: number[] = [];
    this.rules.forEach((rule, index) => {
      let group = this.groupOf.get(rule.logsourceKey);
      if (group === undefined) {
        group = this.groupOf.size;
        this.groupOf.set(rule.logsourceKey, group);
        alwaysByGroup.push([]);
      }
      this.ruleGroup[index] = group;
      if (!rule.prefilter) {
        always.push(index);
        (alwaysByGroup[group] as number[]).push(index);
      }
    });
    this.always = Int32Array.from(always);
    this.groupAlwaysStart = new Int32Array(this.groupOf.size + 1);
    alwaysByGroup.forEach((list, group) => {
      this.groupAlwaysStart[group + 1] = (this.groupAlwaysStart[group] as number) + list.length;
    });
    this.groupAlways = Int32Array.from(alwaysByGroup.flat());
    this.groupActive = new Uint8Array(this.groupOf.size);
    this.activeGroups = new Int32Array(this.groupOf.size);
    this.prefilter = new PrefilterIndex(this.rules.map((rule) => rule.prefilter));
  }

  /** The number of rules. */
  get size(): number {
    return this.rules.length;
  }

  /** The log-source keys that have rules. */
  logsourceKeys(): string[] {
    return [...this.groupOf.keys()];
  }

  /** The rules of one log-source key. */
  rulesOf(logsourceKey: string): CompiledRule[] {
    const group = this.groupOf.get(logsourceKey);
    return group === undefined ? [] : this.rules.filter((_, index) => this.ruleGroup[index] === group);
  }

  /** Sizes of the indexes. */
  stats(): RuleSetStats {
    return {
      rules: this.rules.length,
      alwaysEvaluated: this.always.length,
      anchors: this.prefilter.anchorCount,
      literals: this.prefilter.literalCount,
      automatonStates: this.prefilter.stateCount,
      logsourceKeys: this.groupOf.size,
    };
  }

  /**
   * Evaluates the rules of the given log-source keys (every rule when undefined; keys without rules are
   * ignored) against one event, calling `onMatch` once for each rule that matches, in no particular order.
   * Rules whose prefilter the event does not satisfy are not evaluated.
   */
  evaluate(
    event: SigmaEvent,
    logsourceKeys: readonly string[] | undefined,
    onMatch: (rule: CompiledRule) => void,
  ): void {
    if (logsourceKeys === undefined) {
      this.evaluateCandidates(event, null, onMatch);
      const always = this.always;
      for (let i = 0; i < always.length; i++) this.test(always[i] as number, event, onMatch);
      return;
    }
    let active = 0;
    for (let k = 0; k < logsourceKeys.length; k++) {
      const group = this.groupOf.get(logsourceKeys[k] as string);
      if (group === undefined || this.groupActive[group] === 1) continue;
      this.groupActive[group] = 1;
      this.activeGroups[active++] = group;
    }
    if (active === 0) return;
    try {
      this.evaluateCandidates(event, this.groupActive, onMatch);
      for (let a = 0; a < active; a++) {
        const group = this.activeGroups[a] as number;
        const end = this.groupAlwaysStart[group + 1] as number;
        for (let i = this.groupAlwaysStart[group] as number; i < end; i++) {
          this.test(this.groupAlways[i] as number, event, onMatch);
        }
      }
    } finally {
      for (let a = 0; a < active; a++) this.groupActive[this.activeGroups[a] as number] = 0;
    }
  }

  /** The rules matching an event (allocates; `evaluate` is the fast path). */
  matches(event: SigmaEvent, logsourceKeys?: readonly string[]): CompiledRule[] {
    const matched: CompiledRule[] = [];
    this.evaluate(event, logsourceKeys, (rule) => matched.push(rule));
    return matched;
  }

  /** True when the prefilter lets rule `index` be evaluated on this event (for tests and diagnostics). */
  prefilterAdmits(event: SigmaEvent, index: number): boolean {
    return !this.rules[index]?.prefilter || this.prefilterCandidates(event).includes(index);
  }

  /**
   * The indexes (in `rules`, ascending) of the rules with a prefilter that the event satisfies, whatever
   * their log source (for tests and diagnostics; allocates).
   */
  prefilterCandidates(event: SigmaEvent): number[] {
    const count = this.prefilter.candidates(event, this.ruleGroup, null);
    return Array.from(this.prefilter.candidateBuffer.subarray(0, count)).sort((a, b) => a - b);
  }

  private evaluateCandidates(
    event: SigmaEvent,
    groupActive: Uint8Array | null,
    onMatch: (rule: CompiledRule) => void,
  ): void {
    const count = this.prefilter.candidates(event, this.ruleGroup, groupActive);
    const candidates = this.prefilter.candidateBuffer;
    for (let i = 0; i < count; i++) this.test(candidates[i] as number, event, onMatch);
  }

  private test(index: number, event: SigmaEvent, onMatch: (rule: CompiledRule) => void): void {
    const rule = this.rules[index] as CompiledRule;
    if (rule.test(event)) onMatch(rule);
  }
}
