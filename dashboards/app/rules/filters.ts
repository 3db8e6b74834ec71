// The rule list's filters and sort order, kept in the URL query (a reload or a shared link shows the same
// list), and the figures derived from the API's per-rule counts: the noise share and its band.
import type { RuleItem } from './types.js';

export const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export const SORTS = ['hits', 'alerts', 'open', 'lastSeen', 'level', 'title'] as const;
export type RuleSort = (typeof SORTS)[number];

export interface RuleFilterState {
  /** Free text over title, rule key, file, tags and log source. */
  q: string;
  source: '' | 'shipped' | 'tenant';
  enabled: '' | 'true' | 'false';
  level: '' | (typeof LEVELS)[number];
  sort: RuleSort;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function readFilters(query: URLSearchParams): RuleFilterState {
  return {
    q: query.get('q') ?? '',
    source: oneOf(query.get('source'), ['shipped', 'tenant'] as const, ''),
    enabled: oneOf(query.get('enabled'), ['true', 'false'] as const, ''),
    level: oneOf(query.get('level'), LEVELS, ''),
    sort: oneOf(query.get('sort'), SORTS, 'hits'),
  };
}

export function writeFilters(filters: RuleFilterState): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.q) query.set('q', filters.q);
  if (filters.source) query.set('source', filters.source);
  if (filters.enabled) query.set('enabled', filters.enabled);
  if (filters.level) query.set('level', filters.level);
  if (filters.sort !== 'hits') query.set('sort', filters.sort);
  return query;
}

/**
 * Noise: the rule's share of every detection (hit) of the tenant's rules. The API counts, per rule, the
 * detections merged into its alerts (hits); a rule that produces a large part of all detections is where an
 * analyst's time goes, so it is the first to tune (an exclusion) or switch off when its alerts get closed.
 */
export const NOISE_BANDS = { high: 0.25, elevated: 0.05, minHits: 10 } as const;
export type NoiseBand = 'high' | 'elevated' | 'low' | 'none';

/** The band of a rule with `hits` detections, `share` of the tenant's; a handful of hits is never noise. */
export function noiseBand(share: number, hits: number): NoiseBand {
  if (hits === 0) return 'none';
  if (hits < NOISE_BANDS.minHits) return 'low';
  if (share >= NOISE_BANDS.high) return 'high';
  if (share >= NOISE_BANDS.elevated) return 'elevated';
  return share > 0 ? 'low' : 'none';
}

export function totalHits(rules: readonly RuleItem[]): number {
  return rules.reduce((sum, rule) => sum + rule.stats.hits, 0);
}

const LEVEL_RANK: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2, informational: 1 };

function haystack(rule: RuleItem): string {
  const source = rule.logsource;
  return [
    rule.title,
    rule.key,
    rule.file ?? '',
    ...rule.tags,
    source?.product ?? '',
    source?.category ?? '',
    source?.service ?? '',
  ]
    .join('\n')
    .toLowerCase();
}

/** The rules the filters keep, in the filters' order (ties by title, so the order is stable). */
export function applyFilters(rules: readonly RuleItem[], filters: RuleFilterState): RuleItem[] {
  const words = filters.q.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = rules.filter((rule) => {
    if (filters.source && rule.source !== filters.source) return false;
    if (filters.enabled && String(rule.enabled) !== filters.enabled) return false;
    if (filters.level && rule.level !== filters.level) return false;
    if (words.length === 0) return true;
    const text = haystack(rule);
    return words.every((word) => text.includes(word));
  });
  const byTitle = (a: RuleItem, b: RuleItem) => a.title.localeCompare(b.title);
  const desc = (pick: (rule: RuleItem) => number) => (a: RuleItem, b: RuleItem) =>
    pick(b) - pick(a) || byTitle(a, b);
  const compare: Record<RuleSort, (a: RuleItem, b: RuleItem) => number> = {
    hits: desc((r) => r.stats.hits),
    alerts: desc((r) => r.stats.alerts),
    open: desc((r) => r.stats.open),
    lastSeen: desc((r) => (r.stats.lastSeen ? Date.parse(r.stats.lastSeen) : 0)),
    level: desc((r) => LEVEL_RANK[r.level ?? ''] ?? 0),
    title: byTitle,
  };
  return kept.sort(compare[filters.sort]);
}

/** "linux / process_creation" from a rule's log source; a correlation has none. */
export function logsourceLabel(rule: Pick<RuleItem, 'logsource' | 'kind'>): string {
  const source = rule.logsource;
  if (!source) return rule.kind === 'correlation' ? 'correlation' : '—';
  return [source.product, source.category ?? source.service].filter(Boolean).join(' / ') || '—';
}
