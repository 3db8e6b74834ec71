// Shared types of IOC matching: indicator kinds, the metadata an indicator carries, what a lookup returns
// and what a feed load reports.
import { InosecError } from '@inosec/protos';

/** Kind of a stored indicator. */
export type IocKind = 'ip' | 'cidr' | 'domain' | 'hash';

/**
 * Kind of an observed value to look up. `ip` probes exact IPs then CIDR ranges, `cidr` only ranges,
 * `url` takes the URL's host and probes it as an IP or a domain.
 */
export type LookupKind = IocKind | 'url';

/** Hash algorithm, told by the length of the hex digest. */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';

/** Optional metadata a feed may give for an indicator. */
export interface IndicatorMeta {
  /** The feed's id of the indicator (a STIX id, a CSV `id` column). */
  readonly id?: string;
  readonly description?: string;
  /** Severity as the feed writes it (`high`, `3`…). */
  readonly severity?: string;
  /** Confidence 0–100 (STIX `confidence`). */
  readonly confidence?: number;
  /** End of validity, epoch milliseconds; indicators past it are skipped at load. */
  readonly validUntil?: number;
}

/** One indicator found for a looked-up value. */
export interface IocMatch extends IndicatorMeta {
  /** Name of the set (feed) holding the indicator. */
  readonly set: string;
  readonly kind: IocKind;
  /** The indicator in canonical text: `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8`, `evil.com`, lower-case hex. */
  readonly indicator: string;
  /** For hashes, the algorithm. */
  readonly algorithm?: HashAlgorithm;
  /** The value that was looked up, as given. */
  readonly value: string;
}

/** A match found in an event, naming the field that held the value. */
export interface IocEventHit extends IocMatch {
  readonly field: string;
}

/** Which event fields hold which kind of value: `{ 'destination.ip': 'ip', 'dns.question.name': 'domain' }`. */
export type FieldKinds = Readonly<Record<string, LookupKind>>;

/** Why one line or object of a feed did not load. */
export interface LoadIssue {
  /** `invalid`: malformed; `unsupported`: well-formed but a construct this matcher does not evaluate. */
  readonly severity: 'invalid' | 'unsupported';
  /** 1-based line of a CSV record (its first line when a quoted field spans lines). */
  readonly line?: number;
  /** STIX object id (or `objects[i]` when the object has none). */
  readonly objectId?: string;
  /** The offending value, when there is one. */
  readonly value?: string;
  readonly reason: string;
}

/** Outcome of loading one feed. Counts are exact; `issues` keeps at most `maxIssues` entries. */
export interface LoadReport {
  readonly set: string;
  /** Indicators added, by kind. */
  readonly loaded: Record<IocKind, number>;
  /** Indicators already in the set (the first one is kept). */
  readonly duplicates: number;
  /** Indicators whose valid_until had passed. */
  readonly expired: number;
  /** STIX indicators with `revoked: true`. */
  readonly revoked: number;
  /** Lines or objects that were malformed. */
  readonly invalid: number;
  /** Patterns or pattern terms that are well-formed but not supported. */
  readonly unsupported: number;
  readonly issues: readonly LoadIssue[];
  /** Issues that were counted but not kept in `issues`. */
  readonly issuesDropped: number;
}

/** Options common to the loaders. */
export interface LoadOptions {
  /** Clock for expiry, epoch milliseconds (default `Date.now()`). */
  readonly now?: number;
  /** Issues kept in the report (default 1000); the counts stay exact. */
  readonly maxIssues?: number;
}

/** A feed that cannot be read at all (not JSON, not a bundle, no indicator column…). */
export class IocFeedError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('ioc_feed_invalid', message, options);
  }
}
