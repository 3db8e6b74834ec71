// Aho–Corasick multi-pattern search over UTF-16 code units, case-insensitive the way
// `text.toLowerCase().includes(pattern)` is: the engine's prefilter finds, in one pass over an event's
// values, which of thousands of rule literals occur.
//
// Layout (all typed arrays, built once): the code units of the patterns form an alphabet of classes
// (0 = a code unit no pattern has, which always leads back to the root). States are numbered in
// breadth-first order; the shallow ones (where a scan spends most of its time) get a full row of DFA
// transitions while they fit a memory budget, deeper ones keep their trie edges (sorted by class) and
// fall back through failure links, which always lead to shallower states and so end in a full row.
// Matches are reported through the state's own patterns and a dictionary link to the nearest suffix
// state that has patterns.
import { lowerCaseTable, NEEDS_CONTEXT } from './case-fold.js';

/** Receives matches: the pattern's index and the end offset of the match (exclusive). */
export interface MatchSink {
  match(pattern: number, end: number): void;
}

/** Default most entries of full DFA rows (states × alphabet): 8 MiB; deeper states use their trie edges. */
const DENSE_BUDGET = 1 << 21;

/** Tuning of an automaton's memory. */
export interface AhoCorasickOptions {
  /** Most entries (4 bytes each) of full DFA rows; at least the root always gets one. */
  denseBudget?: number;
}
const ROOT = 0;
/** Class of a text code unit that must be lower-cased with its context. */
const CONTEXT_CLASS = -1;

/** An Aho–Corasick automaton over a fixed list of patterns. */
export class AhoCorasick {
  /** The patterns, by index. */
  readonly patterns: readonly string[];
  /** Class of each code unit as it appears in (already lower-cased) text. */
  private readonly exactClass: Int32Array;
  /** Class of each code unit's lower case, or CONTEXT_CLASS. */
  private readonly foldClass: Int32Array;
  private readonly width: number;
  private readonly denseCount: number;
  private readonly dense: Int32Array;
  private readonly edgeStart: Int32Array;
  private readonly edgeClass: Int32Array;
  private readonly edgeTarget: Int32Array;
  private readonly fail: Int32Array;
  /** The first state whose patterns end here: the state itself or its dictionary link; -1 for none. */
  private readonly reportFrom: Int32Array;
  private readonly dictLink: Int32Array;
  private readonly outStart: Int32Array;
  private readonly outPattern: Int32Array;
  private readonly emptyPatterns: Int32Array;

  /**
   * Builds the automaton. Patterns are matched against lower-cased text, so a pattern with an upper-case
   * letter never matches (pass lower-cased patterns). Duplicates are allowed (each index is reported);
   * an empty pattern matches every scanned text once, at offset 0.
   */
  constructor(patterns: readonly string[], options: AhoCorasickOptions = {}) {
    this.patterns = [...patterns];
    const classes = alphabet(this.patterns);
    this.exactClass = classes.exact;
    this.foldClass = foldClasses(classes.exact);
    this.width = classes.size + 1;

    const trie = buildTrie(this.patterns, this.exactClass);
    const order = breadthFirst(trie.children);
    const count = order.length;
    const id = new Int32Array(count);
    order.forEach((old, index) => (id[old] = index));

    this.fail = new Int32Array(count);
    const oldFail = failureLinks(trie.children, order);
    for (let s = 0; s < count; s++) this.fail[s] = id[oldFail[order[s] as number] as number] as number;

    this.denseCount = Math.max(
      1,
      Math.min(count, Math.floor((options.denseBudget ?? DENSE_BUDGET) / this.width)),
    );
    this.dense = new Int32Array(this.denseCount * this.width);
    const edges = { start: new Int32Array(count + 1), cls: [] as number[], target: [] as number[] };
    for (let s = 0; s < count; s++) {
      const children = trie.children[order[s] as number] as Map<number, number>;
      edges.start[s] = edges.cls.length;
      if (s < this.denseCount) this.fillRow(s, children, id);
      else {
        for (const cls of [...children.keys()].sort((a, b) => a - b)) {
          edges.cls.push(cls);
          edges.target.push(id[children.get(cls) as number] as number);
        }
      }
    }
    edges.start[count] = edges.cls.length;
    this.edgeStart = edges.start;
    this.edgeClass = Int32Array.from(edges.cls);
    this.edgeTarget = Int32Array.from(edges.target);

    const outputs = outputsByState(trie.ends, order);
    this.outStart = outputs.start;
    this.outPattern = outputs.patterns;
    this.dictLink = new Int32Array(count).fill(-1);
    this.reportFrom = new Int32Array(count).fill(-1);
    for (let s = 0; s < count; s++) {
      const f = this.fail[s] as number;
      if (s !== ROOT) this.dictLink[s] = this.hasOwn(f) ? f : (this.dictLink[f] as number);
      this.reportFrom[s] = this.hasOwn(s) ? s : (this.dictLink[s] as number);
    }
    this.emptyPatterns = Int32Array.from(trie.empty);
  }

  /** The number of states (a measure of size). */
  get stateCount(): number {
    return this.fail.length;
  }

  /**
   * Reports every occurrence of every pattern in `text.toLowerCase()` (offsets in that string). Lower-cases
   * code unit by code unit without allocating, and calls `toLowerCase()` only for a text holding a code
   * unit whose lower case depends on its context (a surrogate, U+0130, U+03A3).
   */
  scan(text: string, sink: MatchSink): void {
    if (!this.scanWith(text, this.foldClass, sink)) this.scanWith(text.toLowerCase(), this.exactClass, sink);
  }

  /** Every match in `text.toLowerCase()` in order of end offset, then pattern length (for tests and tools). */
  findAll(text: string): Array<{ pattern: number; end: number }> {
    const found: Array<{ pattern: number; end: number }> = [];
    this.scan(text, { match: (pattern, end) => found.push({ pattern, end }) });
    return found;
  }

  /** Scans with a class table; false when it met CONTEXT_CLASS (matches so far are genuine). */
  private scanWith(text: string, classOf: Int32Array, sink: MatchSink): boolean {
    const empty = this.emptyPatterns;
    for (let i = 0; i < empty.length; i++) sink.match(empty[i] as number, 0);
    const { dense, width, denseCount, reportFrom } = this;
    const length = text.length;
    let state = ROOT;
    for (let i = 0; i < length; i++) {
      const cls = classOf[text.charCodeAt(i)] as number;
      if (cls === 0) {
        state = ROOT;
        continue;
      }
      if (cls === CONTEXT_CLASS) return false;
      state = state < denseCount ? (dense[state * width + cls] as number) : this.step(state, cls);
      const first = reportFrom[state] as number;
      if (first >= 0) this.report(first, i + 1, sink);
    }
    return true;
  }

  /** The transition of a sparse state: its trie edge, else its failure link's transition. */
  private step(from: number, cls: number): number {
    let state = from;
    while (state >= this.denseCount) {
      const end = this.edgeStart[state + 1] as number;
      for (let e = this.edgeStart[state] as number; e < end; e++) {
        const edge = this.edgeClass[e] as number;
        if (edge === cls) return this.edgeTarget[e] as number;
        if (edge > cls) break;
      }
      state = this.fail[state] as number;
    }
    return this.dense[state * this.width + cls] as number;
  }

  private report(first: number, end: number, sink: MatchSink): void {
    for (let state = first; state >= 0; state = this.dictLink[state] as number) {
      const stop = this.outStart[state + 1] as number;
      for (let o = this.outStart[state] as number; o < stop; o++)
        sink.match(this.outPattern[o] as number, end);
    }
  }

  private hasOwn(state: number): boolean {
    return (this.outStart[state + 1] as number) > (this.outStart[state] as number);
  }

  /** The full DFA row of state `s` (its failure state's row is already filled: it comes earlier). */
  private fillRow(s: number, children: ReadonlyMap<number, number>, id: Int32Array): void {
    const row = s * this.width;
    const failRow = (this.fail[s] as number) * this.width;
    for (let cls = 1; cls < this.width; cls++) {
      const child = children.get(cls);
      if (child !== undefined) this.dense[row + cls] = id[child] as number;
      else this.dense[row + cls] = s === ROOT ? ROOT : (this.dense[failRow + cls] as number);
    }
  }
}

/** The patterns ending at each state (breadth-first numbering), as offsets into one list. */
function outputsByState(
  ends: ReadonlyMap<number, number[]>,
  order: readonly number[],
): { start: Int32Array; patterns: Int32Array } {
  const start = new Int32Array(order.length + 1);
  const patterns: number[] = [];
  for (let s = 0; s < order.length; s++) {
    start[s] = patterns.length;
    patterns.push(...(ends.get(order[s] as number) ?? []));
  }
  start[order.length] = patterns.length;
  return { start, patterns: Int32Array.from(patterns) };
}

/** Classes 1..size for the code units of the patterns. */
function alphabet(patterns: readonly string[]): { exact: Int32Array; size: number } {
  const exact = new Int32Array(0x10000);
  let size = 0;
  for (const pattern of patterns) {
    for (let i = 0; i < pattern.length; i++) {
      const unit = pattern.charCodeAt(i);
      if (exact[unit] === 0) exact[unit] = ++size;
    }
  }
  return { exact, size };
}

/** The class of each text code unit's lower case (CONTEXT_CLASS where that needs context). */
function foldClasses(exact: Int32Array): Int32Array {
  const lower = lowerCaseTable();
  const fold = new Int32Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit++) {
    const mapped = lower[unit] as number;
    fold[unit] = mapped === NEEDS_CONTEXT ? CONTEXT_CLASS : (exact[mapped] as number);
  }
  return fold;
}

interface Trie {
  /** Children of each node (build-time numbering), by class. */
  children: Map<number, number>[];
  /** Patterns ending at each node. */
  ends: Map<number, number[]>;
  /** Empty patterns. */
  empty: number[];
}

function buildTrie(patterns: readonly string[], exact: Int32Array): Trie {
  const trie: Trie = { children: [new Map<number, number>()], ends: new Map(), empty: [] };
  patterns.forEach((pattern, index) => {
    if (pattern.length === 0) {
      trie.empty.push(index);
      return;
    }
    let node = ROOT;
    for (let i = 0; i < pattern.length; i++) {
      const cls = exact[pattern.charCodeAt(i)] as number;
      const children = trie.children[node] as Map<number, number>;
      let next = children.get(cls);
      if (next === undefined) {
        next = trie.children.length;
        trie.children.push(new Map<number, number>());
        children.set(cls, next);
      }
      node = next;
    }
    const list = trie.ends.get(node);
    if (list) list.push(index);
    else trie.ends.set(node, [index]);
  });
  return trie;
}

/** Node numbers in breadth-first order (children by class), so a node's failure state comes before it. */
function breadthFirst(children: readonly Map<number, number>[]): number[] {
  const order = [ROOT];
  for (let head = 0; head < order.length; head++) {
    const node = children[order[head] as number] as Map<number, number>;
    for (const cls of [...node.keys()].sort((a, b) => a - b)) order.push(node.get(cls) as number);
  }
  return order;
}

/** Failure links (build-time numbering): the longest proper suffix of a node's string that is a trie node. */
function failureLinks(children: readonly Map<number, number>[], order: readonly number[]): Int32Array {
  const fail = new Int32Array(children.length);
  for (const node of order) {
    for (const [cls, child] of children[node] as Map<number, number>) {
      if (node === ROOT) {
        fail[child] = ROOT;
        continue;
      }
      let f = fail[node] as number;
      while (f !== ROOT && !(children[f] as Map<number, number>).has(cls)) f = fail[f] as number;
      fail[child] = (children[f] as Map<number, number>).get(cls) ?? ROOT;
    }
  }
  return fail;
}
