// The incident list's filters, kept in the URL query (a reload or a shared link keeps them): status
// (default: the active ones), severity, assignee ("me" or a user id).
import { ACTIVE_STATUSES, INCIDENT_STATUSES, SEVERITIES, UUID, type IncidentItem } from './types.js';

export interface IncidentFilters {
  status: string[];
  severity: string[];
  assignee: string;
}

const DEFAULT_STATUS = ACTIVE_STATUSES.join(',');

export function readFilters(query: URLSearchParams): IncidentFilters {
  const list = (name: string, allowed: readonly string[], fallback: readonly string[]) => {
    const raw = query.get(name);
    if (raw === null) return [...fallback];
    return raw.split(',').filter((value) => allowed.includes(value));
  };
  const assignee = query.get('assignee') ?? '';
  return {
    status: list('status', INCIDENT_STATUSES, ACTIVE_STATUSES),
    severity: list('severity', SEVERITIES, []),
    assignee: assignee === 'me' || UUID.test(assignee) ? assignee : '',
  };
}

export function writeFilters(filters: IncidentFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.status.join(',') !== DEFAULT_STATUS) query.set('status', filters.status.join(','));
  if (filters.severity.length) query.set('severity', filters.severity.join(','));
  if (filters.assignee) query.set('assignee', filters.assignee);
  return query;
}

/** The list's API query; `me` resolves to the signed-in user's id (undefined until it is known). */
export function apiQuery(
  filters: IncidentFilters,
  meId: string | undefined,
): { status?: string; severity?: string; assigneeId?: string } | undefined {
  const assigneeId = filters.assignee === 'me' ? meId : filters.assignee || undefined;
  if (filters.assignee === 'me' && meId === undefined) return undefined;
  return {
    ...(filters.status.length ? { status: filters.status.join(',') } : {}),
    ...(filters.severity.length ? { severity: filters.severity.join(',') } : {}),
    ...(assigneeId ? { assigneeId } : {}),
  };
}

/** Whether an incident pushed by the live stream belongs in the list under these filters. */
export function matches(filters: IncidentFilters, incident: IncidentItem, meId: string | undefined): boolean {
  if (filters.status.length && !filters.status.includes(incident.status)) return false;
  if (filters.severity.length && !filters.severity.includes(incident.severity)) return false;
  const assigneeId = filters.assignee === 'me' ? meId : filters.assignee;
  if (assigneeId && incident.assignee?.id !== assigneeId) return false;
  return true;
}
