// The rule set's prefilter: one Aho–Corasick automaton over the literals of every prefilter alternative
// of every rule. Each alternative is indexed under its anchor (its longest literal); its other literals are
// patterns of the automaton too, whose occurrence is only stamped. An event's string, number and boolean
// values are scanned once; only the alternatives whose anchor occurred are looked at, and their other
// literals verified by their stamps (no second pass over the event). The per-event cost is the scan plus
// work proportional to the anchors found, not to the number of rules.
import type { SigmaEvent } from '../sigma-types.js';
import { AhoCorasick, type MatchSink } from './aho-corasick.js';
import type { RulePrefilter } from './compiled-rule.js';

/** Objects nested deeper than this are not scanned (the same bound as the literal contract's reference). */
const MAX_DEPTH = 64;

/** Per-event state: an index is not reentrant (one event at a time), like the rule set that owns it. */
export class PrefilterIndex implements MatchSink {
  private readonly automaton: AhoCorasick;
  /** Alternatives anchored on each pattern: offsets into the entry arrays. */
  private readonly entryStart: Int32Array;
  private readonly entryRule: Int32Array;
  /** The other literals (patterns) of each entry's alternative: offsets into `rest`. */
  private readonly restStart: Int32Array;
  private readonly rest: Int32Array;
  private readonly anchors: number;
  /** The epoch in which each pattern was last seen, and the patterns seen in this event. */
  private readonly patternSeen: Uint32Array;
  private readonly hits: Int32Array;
  private hitCount = 0;
  private readonly ruleSeen: Uint32Array;
  private epoch = 0;
  /** The candidates of the last `candidates` call. */
  readonly candidateBuffer: Int32Array;

  /** Indexes `prefilters` by rule index; rules with an undefined prefilter are never candidates here. */
  constructor(prefilters: readonly (RulePrefilter | undefined)[]) {
    const patternOf = new Map<string, number>();
    const intern = (literal: string): number => {
      let pattern = patternOf.get(literal);
      if (pattern === undefined) {
        pattern = patternOf.size;
        patternOf.set(literal, pattern);
      }
      return pattern;
    };
    const entries: Array<{ anchor: number; rule: number; rest: number[] }> = [];
    prefilters.forEach((prefilter, rule) => {
      for (const alternative of prefilter ?? []) {
        const [anchor, ...rest] = alternative;
        if (!anchor) throw new RangeError(`rule #${rule} has a prefilter alternative without a literal`);
        entries.push({ anchor: intern(anchor), rule, rest: rest.map(intern) });
      }
    });
    this.anchors = new Set(entries.map((entry) => entry.anchor)).size;
    this.automaton = new AhoCorasick([...patternOf.keys()]);
    const patterns = patternOf.size;
    entries.sort((a, b) => a.anchor - b.anchor);
    this.entryStart = new Int32Array(patterns + 1);
    this.entryRule = new Int32Array(entries.length);
    this.restStart = new Int32Array(entries.length + 1);
    const rest: number[] = [];
    let e = 0;
    for (let pattern = 0; pattern < patterns; pattern++) {
      this.entryStart[pattern] = e;
      while (e < entries.length && (entries[e] as (typeof entries)[number]).anchor === pattern) {
        const entry = entries[e] as (typeof entries)[number];
        this.entryRule[e] = entry.rule;
        this.restStart[e] = rest.length;
        rest.push(...entry.rest);
        e++;
      }
    }
    this.entryStart[patterns] = e;
    this.restStart[e] = rest.length;
    this.rest = Int32Array.from(rest);
    this.patternSeen = new Uint32Array(patterns);
    this.hits = new Int32Array(patterns);
    this.ruleSeen = new Uint32Array(prefilters.length);
    this.candidateBuffer = new Int32Array(prefilters.length);
  }

  /** The number of distinct anchors indexed. */
  get anchorCount(): number {
    return this.anchors;
  }

  /** The number of distinct literals (anchors and others) in the automaton. */
  get literalCount(): number {
    return this.automaton.patterns.length;
  }

  /** The number of automaton states (a measure of size). */
  get stateCount(): number {
    return this.automaton.stateCount;
  }

  /**
   * The rules whose prefilter the event satisfies, among those whose group (`ruleGroup[rule]`) is active
   * (`groupActive[group] !== 0`; every rule when null): writes their indexes to `candidateBuffer` (each
   * once, in no particular order) and returns how many.
   */
  candidates(event: SigmaEvent, ruleGroup: Int32Array, groupActive: Uint8Array | null): number {
    this.nextEpoch();
    this.hitCount = 0;
    if (this.hits.length > 0) this.scanNode(event, 0);
    const epoch = this.epoch;
    let count = 0;
    for (let h = 0; h < this.hitCount; h++) {
      const pattern = this.hits[h] as number;
      const end = this.entryStart[pattern + 1] as number;
      for (let e = this.entryStart[pattern] as number; e < end; e++) {
        const rule = this.entryRule[e] as number;
        if (this.ruleSeen[rule] === epoch) continue;
        if (groupActive !== null && groupActive[ruleGroup[rule] as number] === 0) continue;
        if (!this.restPresent(e)) continue;
        this.ruleSeen[rule] = epoch;
        this.candidateBuffer[count++] = rule;
      }
    }
    return count;
  }

  /** MatchSink: an anchor occurred in the value being scanned. */
  match(pattern: number): void {
    if (this.patternSeen[pattern] === this.epoch) return;
    this.patternSeen[pattern] = this.epoch;
    this.hits[this.hitCount++] = pattern;
  }

  private scanNode(node: unknown, depth: number): void {
    if (typeof node === 'string') this.automaton.scan(node, this);
    else if (typeof node === 'number') this.automaton.scan(String(node), this);
    else if (typeof node === 'boolean') this.automaton.scan(node ? 'true' : 'false', this);
    else if (node !== null && typeof node === 'object' && depth < MAX_DEPTH) {
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) this.scanNode(node[i], depth + 1);
      } else {
        // Object.keys: fast on both fast-mode and dictionary-mode objects (for-in and Object.values are
        // each several times slower on one of them).
        const record = node as Record<string, unknown>;
        const keys = Object.keys(record);
        for (let i = 0; i < keys.length; i++) this.scanNode(record[keys[i] as string], depth + 1);
      }
    }
  }

  /** True when every non-anchor literal of entry `e` occurred in the event (in some value). */
  private restPresent(e: number): boolean {
    const end = this.restStart[e + 1] as number;
    const epoch = this.epoch;
    for (let r = this.restStart[e] as number; r < end; r++) {
      if (this.patternSeen[this.rest[r] as number] !== epoch) return false;
    }
    return true;
  }

  private nextEpoch(): void {
    if (this.epoch === 0xffffffff) {
      this.epoch = 0;
      this.patternSeen.fill(0);
      this.ruleSeen.fill(0);
    }
    this.epoch++;
  }
}
