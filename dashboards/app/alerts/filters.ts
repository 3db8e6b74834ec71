// The alert queue's filters, kept in the URL query: what the analyst set survives a reload, a dropped
// connection and a new sign-in.
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export const STATUSES = ['new', 'acknowledged', 'closed'] as const;
export const RANGES = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: 0 } as const;

export interface AlertFilterState {
  severity: string[];
  status: string[];
  host: string;
  ruleId: string;
  technique: string;
  range: keyof typeof RANGES;
}

export function readFilters(query: URLSearchParams): AlertFilterState {
  const list = (name: string, allowed: readonly string[], fallback: string[]) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    return raw.split(',').filter((value) => allowed.includes(value));
  };
  const range = query.get('range');
  return {
    severity: list('severity', SEVERITIES, []),
    status: list('status', STATUSES, ['new', 'acknowledged']),
    host: query.get('host') ?? '',
    ruleId: query.get('rule') ?? '',
    technique: query.get('technique') ?? '',
    range: range !== null && range in RANGES ? (range as keyof typeof RANGES) : '7d',
  };
}

export function writeFilters(filters: AlertFilterState): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.severity.length) query.set('severity', filters.severity.join(','));
  if (filters.status.join(',') !== 'new,acknowledged') query.set('status', filters.status.join(','));
  if (filters.host) query.set('host', filters.host);
  if (filters.ruleId) query.set('rule', filters.ruleId);
  if (filters.technique) query.set('technique', filters.technique);
  if (filters.range !== '7d') query.set('range', filters.range);
  return query;
}

/** The API query of the filters (the time range as `from`, computed now). */
export function apiQuery(filters: AlertFilterState): {
  severity?: string[];
  status?: string[];
  host?: string;
  ruleId?: string;
  technique?: string;
  from?: string;
} {
  const span = RANGES[filters.range];
  return {
    ...(filters.severity.length ? { severity: filters.severity } : {}),
    ...(filters.status.length ? { status: filters.status } : {}),
    ...(filters.host ? { host: filters.host } : {}),
    ...(filters.ruleId ? { ruleId: filters.ruleId } : {}),
    ...(filters.technique ? { technique: filters.technique.toUpperCase() } : {}),
    ...(span ? { from: new Date(Date.now() - span).toISOString() } : {}),
  };
}

/** Whether an alert pushed by the live stream belongs in the queue under these filters. */
export function matches(
  filters: AlertFilterState,
  alert: {
    severity: string;
    status: string;
    host: { name: string | null };
    rule: { id: string };
    techniques: string[];
  },
): boolean {
  if (filters.severity.length && !filters.severity.includes(alert.severity)) return false;
  if (filters.status.length && !filters.status.includes(alert.status)) return false;
  if (filters.host && alert.host.name?.toLowerCase() !== filters.host.toLowerCase()) return false;
  if (filters.ruleId && alert.rule.id !== filters.ruleId) return false;
  if (filters.technique) {
    const wanted = filters.technique.toUpperCase();
    if (!alert.techniques.some((t) => t.toUpperCase() === wanted || t.toUpperCase().startsWith(`${wanted}.`)))
      return false;
  }
  return true;
}
