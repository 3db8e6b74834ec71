// The agents table's filters, kept in the URL query (status, group, kind, search): a reload, a shared link,
// the 15-second refresh and a new sign-in all keep them.
import { UUID } from './format.js';
import type { AgentKind, AgentQuery, AgentStatus } from './types.js';

export const AGENT_STATUSES: AgentStatus[] = ['online', 'offline', 'revoked'];
export const AGENT_KINDS: AgentKind[] = ['endpoint', 'ot_gateway'];

export interface AgentFilters {
  status: AgentStatus | '';
  group: string;
  kind: AgentKind | '';
  search: string;
}

export function readAgentFilters(query: URLSearchParams): AgentFilters {
  const status = query.get('status') ?? '';
  const group = query.get('group') ?? '';
  const kind = query.get('kind') ?? '';
  return {
    status: (AGENT_STATUSES as string[]).includes(status) ? (status as AgentStatus) : '',
    group: UUID.test(group) ? group : '',
    kind: (AGENT_KINDS as string[]).includes(kind) ? (kind as AgentKind) : '',
    search: (query.get('q') ?? '').trim().slice(0, 200),
  };
}

export function writeAgentFilters(filters: AgentFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.group) query.set('group', filters.group);
  if (filters.kind) query.set('kind', filters.kind);
  if (filters.search) query.set('q', filters.search);
  return query;
}

export function agentApiQuery(filters: AgentFilters): AgentQuery {
  return {
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.group ? { groupId: filters.group } : {}),
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.search ? { search: filters.search } : {}),
  };
}

let lastAgentsSearch = '';

/** The agents tab's address with the filters last used there (the tabs link back to it). */
export function agentsHref(): string {
  return `/fleet${lastAgentsSearch ? `?${lastAgentsSearch}` : ''}`;
}

export function rememberAgentFilters(filters: AgentFilters): void {
  lastAgentsSearch = writeAgentFilters(filters).toString();
}
