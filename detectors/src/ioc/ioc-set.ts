// One feed's indicators, indexed for constant-time lookups: IPv4 in an int32 hash table, IPv6 by an
// 8-unit binary key, CIDR ranges in one table per prefix length (probed longest first), domains by walking
// the labels from the full name to the top-level label, hashes by their packed digest.
import { hashAlgorithmOfKey, unpackHash } from './file-hash.js';
import {
  isIndicatorProblem,
  parseIndicator,
  type IndicatorHint,
  type ParsedIndicator,
} from './indicator-parser.js';
import { Int32Map } from './int32-map.js';
import { formatIPv4, formatIPv6, ipv4Mask, ipv6Key, maskIPv6 } from './ip-address.js';
import type { HashAlgorithm, IndicatorMeta, IocKind, IocMatch, LookupKind } from './ioc-types.js';
import { ValueProbe } from './value-probe.js';

/** Outcome of {@link IocSet.add}. */
export type AddResult =
  | { readonly status: 'added' | 'duplicate'; readonly kind: IocKind }
  | { readonly status: 'invalid' | 'unsupported'; readonly reason: string };

// A stored reference to an indicator's metadata: NO_META, or index + FIRST_META in `metas`.
const NO_META = 1;
const FIRST_META = 2;

/** The indicators of one feed, queried by the kind of value looked up. */
export class IocSet {
  /** The feed's name, reported with every match. */
  readonly name: string;
  private readonly ipv4 = new Int32Map();
  private readonly ipv6 = new Map<string, number>();
  private readonly cidr4: Array<Int32Map | undefined> = [];
  private cidr4Prefixes: number[] = [];
  private readonly cidr6 = new Map<number, Map<string, number>>();
  private cidr6Prefixes: number[] = [];
  private readonly domains = new Map<string, number>();
  private readonly hashes = new Map<string, number>();
  private readonly metas: IndicatorMeta[] = [];
  private readonly counts: Record<IocKind, number> = { ip: 0, cidr: 0, domain: 0, hash: 0 };
  private readonly masked = new Uint16Array(8);
  private readonly probe = new ValueProbe();

  constructor(name: string) {
    this.name = name;
  }

  /** Number of indicators. */
  get size(): number {
    return this.counts.ip + this.counts.cidr + this.counts.domain + this.counts.hash;
  }

  /** Number of indicators of each kind. */
  sizeByKind(): Record<IocKind, number> {
    return { ...this.counts };
  }

  /**
   * Adds an indicator written as a feed writes it (see {@link parseIndicator}); `hint` is the feed's type
   * for it, if any. A duplicate keeps the first indicator's metadata.
   */
  add(value: string, hint: IndicatorHint = 'auto', meta?: IndicatorMeta): AddResult {
    const parsed = parseIndicator(value, hint);
    if (isIndicatorProblem(parsed)) return { status: parsed.problem, reason: parsed.reason };
    return this.addParsed(parsed, meta);
  }

  /** Adds an already parsed indicator. */
  addParsed(indicator: ParsedIndicator, meta?: IndicatorMeta): AddResult {
    const ref = this.metaRef(meta);
    let added: boolean;
    switch (indicator.kind) {
      case 'ip':
        added =
          indicator.version === 4
            ? this.ipv4.setIfAbsent(indicator.v4 | 0, ref)
            : setIfAbsent(this.ipv6, ipv6Key(indicator.v6), ref);
        break;
      case 'cidr':
        added =
          indicator.version === 4
            ? this.addCidr4(indicator.network, indicator.prefix, ref)
            : this.addCidr6(indicator.network, indicator.prefix, ref);
        break;
      case 'domain':
        added = setIfAbsent(this.domains, indicator.domain, ref);
        break;
      case 'hash':
        added = setIfAbsent(this.hashes, indicator.key, ref);
        break;
    }
    if (!added) {
      if (ref !== NO_META) this.metas.pop();
      return { status: 'duplicate', kind: indicator.kind };
    }
    this.counts[indicator.kind]++;
    return { status: 'added', kind: indicator.kind };
  }

  /**
   * The indicator matching `value` read as a `kind` value, or undefined. `ip`: exact IP, then the longest
   * CIDR range; `cidr`: ranges only; `domain`: the domain or its closest listed parent; `url`: its host as
   * an IP or a domain; `hash`: md5/sha1/sha256/sha512 in any case. Values that do not parse never match.
   */
  match(kind: LookupKind, value: string): IocMatch | undefined {
    this.probe.parse(kind, value);
    return this.matchParsed(this.probe, value);
  }

  /** The indicator matching a value already parsed into `probe` (see {@link ValueProbe}). */
  matchParsed(probe: ValueProbe, value: string): IocMatch | undefined {
    switch (probe.form) {
      case 'v4':
        return this.matchIPv4(probe.v4, value, probe.exact);
      case 'v6':
        return this.matchIPv6(probe.v6, value, probe.exact);
      case 'domain':
        return this.matchDomain(probe.domain, value);
      case 'hash':
        return this.matchHashKey(probe.hashKey, value);
      case 'none':
        return undefined;
    }
  }

  /**
   * The indicator matching an IPv4 address (unsigned number): an exact IP first, then the longest
   * matching CIDR range. `exact: false` probes ranges only.
   */
  matchIPv4(address: number, value: string, exact = true): IocMatch | undefined {
    if (exact && this.counts.ip !== 0) {
      const ref = this.ipv4.get(address | 0);
      if (ref !== 0) return this.hit('ip', formatIPv4(address), ref, value);
    }
    const prefixes = this.cidr4Prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i] as number;
      const network = (address & ipv4Mask(prefix)) >>> 0;
      const ref = (this.cidr4[prefix] as Int32Map).get(network | 0);
      if (ref !== 0) return this.hit('cidr', `${formatIPv4(network)}/${prefix}`, ref, value);
    }
    return undefined;
  }

  /** As {@link matchIPv4} for an IPv6 address (8 groups, not IPv4-mapped). */
  matchIPv6(hextets: Uint16Array, value: string, exact = true): IocMatch | undefined {
    if (exact && this.ipv6.size !== 0) {
      const ref = this.ipv6.get(ipv6Key(hextets));
      if (ref !== undefined) return this.hit('ip', formatIPv6(hextets), ref, value);
    }
    const prefixes = this.cidr6Prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i] as number;
      maskIPv6(hextets, prefix, this.masked);
      const ref = (this.cidr6.get(prefix) as Map<string, number>).get(ipv6Key(this.masked));
      if (ref !== undefined) return this.hit('cidr', `${formatIPv6(this.masked)}/${prefix}`, ref, value);
    }
    return undefined;
  }

  /** The most specific domain indicator equal to, or a parent of, a normalised domain. */
  matchDomain(domain: string, value: string): IocMatch | undefined {
    if (this.domains.size === 0) return undefined;
    let at = 0;
    for (;;) {
      const name = at === 0 ? domain : domain.slice(at);
      const ref = this.domains.get(name);
      if (ref !== undefined) return this.hit('domain', name, ref, value);
      const dot = domain.indexOf('.', at);
      if (dot < 0) return undefined;
      at = dot + 1;
    }
  }

  /** The hash indicator of a packed digest (see `packHash`). */
  matchHashKey(key: string, value: string): IocMatch | undefined {
    const ref = this.hashes.get(key);
    if (ref === undefined) return undefined;
    // The key matched, so a value of the digest's length is the digest in some case.
    const digest = value.length === key.length * 4 ? value.toLowerCase() : unpackHash(key);
    return this.hit('hash', digest, ref, value, hashAlgorithmOfKey(key));
  }

  private hit(
    kind: IocKind,
    indicator: string,
    ref: number,
    value: string,
    algorithm?: HashAlgorithm,
  ): IocMatch {
    const meta = ref === NO_META ? undefined : this.metas[ref - FIRST_META];
    const match = { ...meta, set: this.name, kind, indicator, value };
    return algorithm === undefined ? match : { ...match, algorithm };
  }

  private metaRef(meta: IndicatorMeta | undefined): number {
    if (meta === undefined) return NO_META;
    const kept: { -readonly [K in keyof IndicatorMeta]: IndicatorMeta[K] } = {};
    if (meta.id !== undefined) kept.id = meta.id;
    if (meta.description !== undefined) kept.description = meta.description;
    if (meta.severity !== undefined) kept.severity = meta.severity;
    if (meta.confidence !== undefined) kept.confidence = meta.confidence;
    if (meta.validUntil !== undefined) kept.validUntil = meta.validUntil;
    if (Object.keys(kept).length === 0) return NO_META;
    this.metas.push(kept);
    return this.metas.length - 1 + FIRST_META;
  }

  private addCidr4(network: number, prefix: number, ref: number): boolean {
    let table = this.cidr4[prefix];
    if (table === undefined) {
      table = new Int32Map();
      this.cidr4[prefix] = table;
      this.cidr4Prefixes = [...this.cidr4Prefixes, prefix].sort((a, b) => b - a);
    }
    return table.setIfAbsent(network | 0, ref);
  }

  private addCidr6(network: Uint16Array, prefix: number, ref: number): boolean {
    let table = this.cidr6.get(prefix);
    if (table === undefined) {
      table = new Map();
      this.cidr6.set(prefix, table);
      this.cidr6Prefixes = [...this.cidr6Prefixes, prefix].sort((a, b) => b - a);
    }
    return setIfAbsent(table, ipv6Key(network), ref);
  }
}

function setIfAbsent(map: Map<string, number>, key: string, ref: number): boolean {
  if (map.has(key)) return false;
  map.set(key, ref);
  return true;
}
