// The agents table: host, OS, version, group, status (a label, not a colour), last seen, spool queue and
// drops from the heartbeats, addresses. Filters live in the URL; pages follow the API's cursor; the current
// page refreshes every 15 s (heartbeats) without touching the filters; each agent can be moved or revoked.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import { MoveAgentDialog, RevokeAgentDialog } from './AgentDialogs.js';
import { bytes, count } from './format.js';
import {
  agentApiQuery,
  readAgentFilters,
  rememberAgentFilters,
  writeAgentFilters,
  type AgentFilters,
} from './filters.js';
import {
  AgentStatusBadge,
  Pager,
  REFRESH_MS,
  TABLE,
  TD,
  TH,
  TimeAgo,
  useCursorPages,
  useGroups,
  useNow,
} from './parts.js';
import type { Agent, AgentPage } from './types.js';

const PAGE = 50;

export function AgentsTab() {
  const { api } = useConsole();
  const route = useRoute();
  const filters = useMemo(() => readAgentFilters(route.query), [route.query]);
  const key = writeAgentFilters(filters).toString();
  const paging = useCursorPages(key);
  const { groups, error: groupsError } = useGroups();
  const now = useNow();
  const [page, setPage] = useState<AgentPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [moving, setMoving] = useState<Agent | null>(null);
  const [revoking, setRevoking] = useState<Agent | null>(null);
  const generation = useRef(0);

  useEffect(() => rememberAgentFilters(filters), [filters]);

  const update = (next: Partial<AgentFilters>) => setQuery(writeAgentFilters({ ...filters, ...next }));
  const cursor = paging.cursor;

  const fetchPage = useCallback(
    () =>
      must(
        api.GET('/api/fleet/agents', {
          params: { query: { ...agentApiQuery(filters), limit: PAGE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api, filters, cursor],
  );

  const load = useCallback(() => {
    const mine = ++generation.current;
    setPage(null);
    setError(null);
    setRefreshError(null);
    fetchPage()
      .then((next) => {
        if (mine !== generation.current) return;
        setPage(next);
        setUpdatedAt(new Date());
      })
      .catch((failure: unknown) => mine === generation.current && setError(describe(failure)));
  }, [fetchPage]);

  useEffect(load, [load]);

  // The live refresh: the same page with the same filters, quietly; a failure keeps the rows and says so.
  const refresh = useCallback(() => {
    const mine = generation.current;
    fetchPage()
      .then((next) => {
        if (mine !== generation.current) return;
        setPage(next);
        setUpdatedAt(new Date());
        setRefreshError(null);
      })
      .catch((failure: unknown) => mine === generation.current && setRefreshError(describe(failure)));
  }, [fetchPage]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) refresh();
    }, REFRESH_MS);
    const onVisible = () => {
      if (!document.hidden) refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh]);

  function replaced(agent: Agent, message: string): void {
    setMoving(null);
    setRevoking(null);
    setNotice(message);
    setPage(
      (current) =>
        current && { ...current, items: current.items.map((item) => (item.id === agent.id ? agent : item)) },
    );
    refresh();
  }

  const filtered = key !== '';
  const items = page?.items ?? [];

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <form
        role="search"
        aria-label="Filter agents"
        className="grid grid-cols-2 gap-2 border-b border-line px-4 py-3 md:grid-cols-5"
        onSubmit={(event) => event.preventDefault()}
      >
        <input
          type="search"
          aria-label="Search host name or agent id"
          placeholder="Host name or agent id"
          className={INPUT}
          maxLength={200}
          defaultValue={filters.search}
          key={`search-${filters.search}`}
          onBlur={(event) => update({ search: event.target.value.trim() })}
          onKeyDown={(event) => event.key === 'Enter' && update({ search: event.currentTarget.value.trim() })}
        />
        <select
          aria-label="Status"
          className={INPUT}
          value={filters.status}
          onChange={(event) => update({ status: event.target.value as AgentFilters['status'] })}
        >
          <option value="">Any status</option>
          <option value="online">Online</option>
          <option value="offline">Offline</option>
          <option value="revoked">Revoked</option>
        </select>
        <select
          aria-label="Group"
          className={INPUT}
          value={filters.group}
          onChange={(event) => update({ group: event.target.value })}
        >
          <option value="">All groups</option>
          {filters.group && !groups?.some((group) => group.id === filters.group) ? (
            <option value={filters.group}>{groups ? 'Unknown group' : 'Loading groups…'}</option>
          ) : null}
          {(groups ?? []).map((group) => (
            <option key={group.id} value={group.id}>
              {group.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Kind"
          className={INPUT}
          value={filters.kind}
          onChange={(event) => update({ kind: event.target.value as AgentFilters['kind'] })}
        >
          <option value="">Endpoints and OT gateways</option>
          <option value="endpoint">Endpoints</option>
          <option value="ot_gateway">OT gateways</option>
        </select>
        <Button onClick={() => setQuery(new URLSearchParams())} disabled={!filtered}>
          Clear filters
        </Button>
      </form>

      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-line px-4 py-2 text-xs text-muted">
        <span data-testid="agents-updated" role="status">
          {refreshError
            ? `Refresh failed (${refreshError}); showing the agents as of ${updatedAt?.toLocaleTimeString() ?? '—'}, retrying every 15 s.`
            : updatedAt
              ? `Updated ${updatedAt.toLocaleTimeString()} · refreshes every 15 s`
              : ''}
        </span>
        {groupsError ? (
          <span className="text-sev-high">Groups could not be loaded: {groupsError}</span>
        ) : null}
        {notice ? (
          <span role="status" className="text-fg" data-testid="agents-notice">
            {notice}
          </span>
        ) : null}
      </div>

      {error ? (
        <ErrorState message={error} onRetry={load} />
      ) : page === null ? (
        <Loading what="agents" />
      ) : items.length === 0 ? (
        filtered || paging.page > 1 ? (
          <Empty title="No agent matches these filters">
            <Button onClick={() => setQuery(new URLSearchParams())}>Clear filters</Button>
          </Empty>
        ) : (
          <Empty title="No agents enrolled yet">
            Create an enrollment token and run its install command on a host:{' '}
            <Link href="/fleet/tokens" className="text-accent underline">
              enrollment tokens
            </Link>
            .
          </Empty>
        )
      ) : (
        <div role="region" aria-label="Agents table" tabIndex={0} className="min-h-0 flex-1 overflow-auto">
          <table className={TABLE} data-testid="agents-table">
            <caption className="sr-only">Enrolled agents, by host name</caption>
            <thead>
              <tr>
                <th scope="col" className={TH}>
                  Host
                </th>
                <th scope="col" className={TH}>
                  Status
                </th>
                <th scope="col" className={TH}>
                  OS / architecture
                </th>
                <th scope="col" className={TH}>
                  Version
                </th>
                <th scope="col" className={TH}>
                  Group
                </th>
                <th scope="col" className={TH}>
                  Last seen
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Queue / spool
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Dropped
                </th>
                <th scope="col" className={TH}>
                  IP addresses
                </th>
                <th scope="col" className={TH}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((agent) => (
                <AgentRow
                  key={agent.id}
                  agent={agent}
                  now={now}
                  onMove={() => setMoving(agent)}
                  onRevoke={() => setRevoking(agent)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page ? (
        <Pager
          label="Agent pages"
          page={paging.page}
          shown={items.length}
          nextCursor={page.nextCursor}
          onNext={paging.next}
          onPrevious={paging.previous}
        />
      ) : null}

      <MoveAgentDialog agent={moving} groups={groups} onCancel={() => setMoving(null)} onMoved={replaced} />
      <RevokeAgentDialog agent={revoking} onCancel={() => setRevoking(null)} onRevoked={replaced} />
    </div>
  );
}

function AgentRow({
  agent,
  now,
  onMove,
  onRevoke,
}: {
  agent: Agent;
  now: number;
  onMove: () => void;
  onRevoke: () => void;
}) {
  const dropped = agent.droppedEvents ?? 0;
  const shownIps = agent.ipAddresses.slice(0, 2);
  const moreIps = agent.ipAddresses.length - shownIps.length;
  return (
    <tr data-testid="agent-row" data-agent-id={agent.id} className="hover:bg-raised/60">
      <td className={TD}>
        <Link
          href={`/fleet/agents/${encodeURIComponent(agent.id)}`}
          className="font-medium text-fg hover:underline"
        >
          {agent.hostName}
        </Link>
        <div className="font-mono text-xs text-muted">
          {agent.id}
          {agent.kind === 'ot_gateway' ? <span className="ml-2 font-sans">OT gateway</span> : null}
        </div>
      </td>
      <td className={TD}>
        <AgentStatusBadge status={agent.status} />
      </td>
      <td className={TD}>
        {agent.os} <span className="text-muted">· {agent.architecture}</span>
      </td>
      <td className={`${TD} font-mono text-xs`} data-testid="agent-version">
        {agent.version}
      </td>
      <td className={TD}>{agent.groupName}</td>
      <td className={`${TD} whitespace-nowrap`}>
        <TimeAgo iso={agent.lastSeenAt} now={now} />
      </td>
      <td className={`${TD} text-right font-mono text-xs whitespace-nowrap`}>
        {count(agent.queueDepthEvents)}
        <div className="text-muted">{bytes(agent.spoolBytes)}</div>
      </td>
      <td
        className={`${TD} text-right font-mono text-xs ${dropped > 0 ? 'font-semibold text-sev-high' : ''}`}
      >
        {dropped > 0 ? <span aria-hidden="true">⚠ </span> : null}
        {count(agent.droppedEvents)}
      </td>
      <td className={`${TD} font-mono text-xs`}>
        {shownIps.map((ip) => (
          <div key={ip}>{ip}</div>
        ))}
        {moreIps > 0 ? (
          <div className="text-muted" title={agent.ipAddresses.join(', ')}>
            +{moreIps} more
          </div>
        ) : null}
        {agent.ipAddresses.length === 0 ? <span className="text-muted">—</span> : null}
      </td>
      <td className={`${TD} whitespace-nowrap text-right`}>
        {agent.status === 'revoked' ? null : (
          <span className="inline-flex gap-1">
            <Button variant="ghost" onClick={onMove}>
              Move<span className="sr-only"> {agent.hostName} to another group</span>
            </Button>
            <Button variant="ghost" onClick={onRevoke}>
              Revoke<span className="sr-only"> {agent.hostName}</span>
            </Button>
          </span>
        )}
      </td>
    </tr>
  );
}
