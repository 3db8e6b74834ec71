// Accumulates the outcome of a feed load: exact counts, and the first `maxIssues` issues in full.
import type { AddResult } from './ioc-set.js';
import type { IocKind, LoadIssue, LoadOptions, LoadReport } from './ioc-types.js';

const DEFAULT_MAX_ISSUES = 1000;

/** Mutable counterpart of {@link LoadReport}, filled by a loader. */
export class LoadReportBuilder {
  readonly now: number;
  private readonly maxIssues: number;
  private readonly loaded: Record<IocKind, number> = { ip: 0, cidr: 0, domain: 0, hash: 0 };
  private duplicates = 0;
  expired = 0;
  revoked = 0;
  private invalid = 0;
  private unsupported = 0;
  private readonly issues: LoadIssue[] = [];
  private dropped = 0;

  constructor(
    private readonly set: string,
    options: LoadOptions = {},
  ) {
    this.now = options.now ?? Date.now();
    this.maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  }

  /** Records an issue, counting it as invalid or unsupported. */
  issue(issue: LoadIssue): void {
    if (issue.severity === 'invalid') this.invalid++;
    else this.unsupported++;
    if (this.issues.length < this.maxIssues) this.issues.push(issue);
    else this.dropped++;
  }

  /** Records the result of adding one indicator; `where` locates it for an issue. */
  added(result: AddResult, where: Pick<LoadIssue, 'line' | 'objectId' | 'value'>): void {
    switch (result.status) {
      case 'added':
        this.loaded[result.kind]++;
        return;
      case 'duplicate':
        this.duplicates++;
        return;
      case 'invalid':
      case 'unsupported':
        this.issue({ ...where, severity: result.status, reason: result.reason });
    }
  }

  /** The finished report. */
  build(): LoadReport {
    return {
      set: this.set,
      loaded: { ...this.loaded },
      duplicates: this.duplicates,
      expired: this.expired,
      revoked: this.revoked,
      invalid: this.invalid,
      unsupported: this.unsupported,
      issues: [...this.issues],
      issuesDropped: this.dropped,
    };
  }
}

/**
 * Reads a validity end: an RFC 3339 / ISO 8601 timestamp, or epoch seconds as digits. Returns epoch
 * milliseconds, undefined for an empty value, or NaN when unreadable.
 */
export function parseValidUntil(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^\d{1,12}$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse accepts loose formats; require an ISO date at the start.
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return Number.NaN;
  return Date.parse(trimmed);
}
