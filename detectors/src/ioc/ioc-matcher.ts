// Matching values and events against several IocSets (feeds) at once: each value is parsed once and
// probed in every set; an event's fields are read with the engine's field reader (flat dotted keys or
// nested objects, arrays giving every element).
import { fieldReader } from '../sigma/field-reader.js';
import type { FieldReader } from '../sigma/sigma-types.js';
import type { IocSet } from './ioc-set.js';
import type { FieldKinds, IocEventHit, IocMatch, LookupKind } from './ioc-types.js';
import { ValueProbe } from './value-probe.js';

interface CompiledField {
  readonly field: string;
  readonly kind: LookupKind;
  readonly read: FieldReader;
}

const NO_HITS: readonly IocEventHit[] = Object.freeze([]);

/** Looks values and events up in a list of IocSets. */
export class IocMatcher {
  private readonly sets: readonly IocSet[];
  private readonly probe = new ValueProbe();
  private readonly compiled = new WeakMap<FieldKinds, readonly CompiledField[]>();

  constructor(sets: readonly IocSet[]) {
    this.sets = [...sets];
  }

  /** The first set's match for `value` read as a `kind` value (see {@link IocSet.match}), or undefined. */
  match(kind: LookupKind, value: string): IocMatch | undefined {
    if (this.probe.parse(kind, value) === 'none') return undefined;
    for (const set of this.sets) {
      const match = set.matchParsed(this.probe, value);
      if (match !== undefined) return match;
    }
    return undefined;
  }

  /** Every set's match for `value` (one per set at most). */
  matchAll(kind: LookupKind, value: string): IocMatch[] {
    const matches: IocMatch[] = [];
    if (this.probe.parse(kind, value) === 'none') return matches;
    for (const set of this.sets) {
      const match = set.matchParsed(this.probe, value);
      if (match !== undefined) matches.push(match);
    }
    return matches;
  }

  /**
   * All hits in an event: for each field of `fieldKinds` present in the event, its value (or each string
   * of an array) looked up as that kind in every set. Non-string values are ignored. Returns a shared
   * empty array when nothing matches. Pass the same `fieldKinds` object each time: its readers are
   * compiled once per object.
   */
  matchEvent(fields: Readonly<Record<string, unknown>>, fieldKinds: FieldKinds): readonly IocEventHit[] {
    let hits: IocEventHit[] | undefined;
    for (const { field, kind, read } of this.compile(fieldKinds)) {
      const value = read(fields);
      if (typeof value === 'string') {
        hits = this.collect(field, kind, value, hits);
      } else if (Array.isArray(value)) {
        for (const element of value as unknown[]) {
          if (typeof element === 'string') hits = this.collect(field, kind, element, hits);
        }
      }
    }
    return hits ?? NO_HITS;
  }

  private collect(
    field: string,
    kind: LookupKind,
    value: string,
    hits: IocEventHit[] | undefined,
  ): IocEventHit[] | undefined {
    if (this.probe.parse(kind, value) === 'none') return hits;
    let found = hits;
    for (const set of this.sets) {
      const match = set.matchParsed(this.probe, value);
      if (match === undefined) continue;
      found ??= [];
      found.push({ ...match, field });
    }
    return found;
  }

  private compile(fieldKinds: FieldKinds): readonly CompiledField[] {
    let compiled = this.compiled.get(fieldKinds);
    if (compiled === undefined) {
      compiled = Object.entries(fieldKinds).map(([field, kind]) => ({
        field,
        kind,
        read: fieldReader(field),
      }));
      this.compiled.set(fieldKinds, compiled);
    }
    return compiled;
  }
}
