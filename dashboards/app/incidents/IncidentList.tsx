// The incident list: newest first, filters (status, severity, assignee) in the URL, pages loaded on demand
// (cursor), kept current over the live stream, and "New incident".
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { navigate, setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, ErrorState, INPUT, Loading, SeverityBadge } from '../ui/primitives.js';
import { CreateIncidentDialog } from './CreateIncidentDialog.js';
import { apiQuery, matches, readFilters, writeFilters, type IncidentFilters } from './filters.js';
import { IncidentStatusBadge } from './IncidentStatusBadge.js';
import { label, useDirectory } from '../api/directory.js';
import { StreamIndicator, useIncidentStream } from './stream.js';
import { ACTIVE_STATUSES, INCIDENT_STATUSES, SEVERITIES, UUID, type IncidentItem } from './types.js';

const PAGE = 50;

export function IncidentList() {
  const { api, session } = useConsole();
  const route = useRoute();
  const filters = useMemo(() => readFilters(route.query), [route.query]);
  const directory = useDirectory();
  const meId = directory.me?.id;
  const [items, setItems] = useState<IncidentItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const generation = useRef(0);
  const reloadTimer = useRef<number | undefined>(undefined);
  const itemsRef = useRef(items);
  itemsRef.current = items;

  const creating = route.query.get('create') === '1';
  const createAlert = route.query.get('alert') ?? '';
  const query = useMemo(() => apiQuery(filters, meId), [filters, meId]);

  const update = (next: Partial<IncidentFilters>) => setQuery(writeFilters({ ...filters, ...next }));
  const setCreating = (open: boolean): void => {
    const next = new URLSearchParams(route.query);
    if (open) next.set('create', '1');
    else {
      next.delete('create');
      next.delete('alert');
    }
    setQuery(next);
  };

  const load = useCallback(() => {
    if (query === undefined) return; // "assigned to me" waits for who "me" is
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    must(api.GET('/api/incidents', { params: { query: { ...query, limit: PAGE } } }))
      .then((page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
      })
      .catch((failure: unknown) => mine === generation.current && setError(describe(failure)))
      .finally(() => mine === generation.current && setLoading(false));
  }, [api, query]);
  useEffect(load, [load]);

  function loadMore(): void {
    if (cursor === null || query === undefined) return;
    const mine = generation.current;
    setLoadingMore(true);
    must(api.GET('/api/incidents', { params: { query: { ...query, limit: PAGE, cursor } } }))
      .then((page) => {
        if (mine !== generation.current) return;
        setItems((current) => [...current, ...page.items.filter((i) => !current.some((c) => c.id === i.id))]);
        setCursor(page.nextCursor);
      })
      .catch((failure: unknown) => setNotice(describe(failure)))
      .finally(() => setLoadingMore(false));
  }

  const status = useIncidentStream(session, {
    incident: ({ id, changed, incident }) => {
      if (incident === undefined) return;
      const fits = matches(filters, incident, meId);
      const known = itemsRef.current.some((item) => item.id === id);
      setItems((current) => {
        const at = current.findIndex((item) => item.id === id);
        if (at < 0) return fits && changed.includes('created') ? [incident, ...current] : current;
        if (!fits) return current.filter((item) => item.id !== id);
        const next = current.slice();
        next[at] = incident;
        return next;
      });
      // An older incident that now fits (reopened, reassigned) goes where the server orders it: reload.
      if (!known && fits && !changed.includes('created')) {
        window.clearTimeout(reloadTimer.current);
        reloadTimer.current = window.setTimeout(load, 300);
      }
    },
    resync: load,
  });
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  const statusValue = filters.status.join(',');
  const filtered =
    statusValue !== ACTIVE_STATUSES.join(',') || filters.severity.length > 0 || filters.assignee !== '';

  return (
    <section aria-labelledby="incidents-title" className="flex h-full flex-col">
      <header className="border-b border-line bg-panel px-4 py-3">
        <div className="flex items-center justify-between gap-4">
          <h1 id="incidents-title" className="text-lg font-semibold">
            Incidents
          </h1>
          <div className="flex items-center gap-3">
            <StreamIndicator status={status} />
            <Button variant="primary" onClick={() => setCreating(true)}>
              New incident
            </Button>
          </div>
        </div>
        <form
          className="mt-3 grid grid-cols-2 gap-2 md:grid-cols-4"
          role="search"
          aria-label="Filter incidents"
          onSubmit={(e) => e.preventDefault()}
        >
          <select
            aria-label="Status"
            className={INPUT}
            value={statusValue}
            onChange={(e) => update({ status: e.target.value ? e.target.value.split(',') : [] })}
          >
            <option value={ACTIVE_STATUSES.join(',')}>Active (open, investigating, contained)</option>
            {INCIDENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)}
              </option>
            ))}
            <option value="">Any status</option>
            {![ACTIVE_STATUSES.join(','), '', ...INCIDENT_STATUSES].includes(statusValue) ? (
              <option value={statusValue}>{filters.status.join(', ')}</option>
            ) : null}
          </select>
          <select
            aria-label="Severity"
            className={INPUT}
            value={filters.severity.join(',')}
            onChange={(e) => update({ severity: e.target.value ? e.target.value.split(',') : [] })}
          >
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)}
              </option>
            ))}
            {filters.severity.length > 1 ? (
              <option value={filters.severity.join(',')}>{filters.severity.join(', ')}</option>
            ) : null}
          </select>
          <select
            aria-label="Assignee"
            className={INPUT}
            value={filters.assignee}
            onChange={(e) => update({ assignee: e.target.value })}
          >
            <option value="">Anyone</option>
            <option value="me">Assigned to me</option>
            {(directory.users ?? [])
              .filter((user) => user.id !== meId)
              .map((user) => (
                <option key={user.id} value={user.id}>
                  {label(user)}
                </option>
              ))}
            {UUID.test(filters.assignee) && !directory.users?.some((u) => u.id === filters.assignee) ? (
              <option value={filters.assignee}>user {filters.assignee.slice(0, 8)}</option>
            ) : null}
          </select>
          <Button onClick={() => setQuery(new URLSearchParams())} disabled={!filtered}>
            Clear filters
          </Button>
        </form>
      </header>
      {notice ? (
        <p role="status" className="border-b border-line px-4 py-2 text-xs text-muted">
          {notice}
        </p>
      ) : null}

      {error ? (
        <ErrorState message={error} onRetry={load} />
      ) : query === undefined && directory.error ? (
        <ErrorState message={`Cannot tell whose incidents are yours: ${directory.error}`} />
      ) : loading && items.length === 0 ? (
        <Loading what="incidents" />
      ) : items.length === 0 ? (
        <Empty title={filtered ? 'No incidents match' : 'No active incidents'}>
          {filtered ? (
            'Nothing matches these filters. Clear them or pick another status.'
          ) : (
            <>
              Create one with <span className="text-fg">New incident</span>, or from an alert.
            </>
          )}
        </Empty>
      ) : (
        <div className="flex-1 overflow-auto">
          <table className="w-full text-left text-sm" data-testid="incident-list">
            <caption className="sr-only">Incidents, newest first</caption>
            <thead className="sticky top-0 bg-surface text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-normal">
                  #
                </th>
                <th scope="col" className="py-2 pr-3 font-normal">
                  Title
                </th>
                <th scope="col" className="py-2 pr-3 font-normal">
                  Severity
                </th>
                <th scope="col" className="py-2 pr-3 font-normal">
                  Status
                </th>
                <th scope="col" className="hidden py-2 pr-3 font-normal lg:table-cell">
                  Assignee
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-normal">
                  Alerts
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-normal">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((incident) => (
                <tr
                  key={incident.id}
                  data-testid="incident-row"
                  data-incident-id={incident.id}
                  className="border-t border-line/60 hover:bg-raised"
                >
                  <td className="px-4 py-2 font-mono text-xs text-muted">{incident.number}</td>
                  <td className="max-w-0 truncate py-2 pr-3" style={{ width: '45%' }}>
                    <Link href={`/incidents/${incident.id}`} className="hover:underline">
                      {incident.title}
                    </Link>
                  </td>
                  <td className="py-2 pr-3">
                    <SeverityBadge severity={incident.severity} />
                  </td>
                  <td className="py-2 pr-3">
                    <IncidentStatusBadge status={incident.status} />
                  </td>
                  <td className="hidden truncate py-2 pr-3 text-muted lg:table-cell">
                    {incident.assignee ? incident.assignee.displayName || incident.assignee.email : '—'}
                  </td>
                  <td className="py-2 pr-3 text-right font-mono text-xs">{incident.alertCount}</td>
                  <td className="py-2 pr-4 text-right text-xs whitespace-nowrap text-muted">
                    <time dateTime={incident.updatedAt}>{new Date(incident.updatedAt).toLocaleString()}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="flex items-center justify-center gap-3 p-3 text-xs text-muted">
            <span>
              {items.length} shown{cursor ? ', more older ones' : ''}
            </span>
            {cursor ? (
              <Button onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </Button>
            ) : null}
          </div>
        </div>
      )}

      <CreateIncidentDialog
        key={createAlert}
        open={creating}
        onOpenChange={setCreating}
        {...(UUID.test(createAlert) ? { alertId: createAlert } : {})}
        onCreated={(incident) => {
          setCreating(false);
          navigate(`/incidents/${incident.id}`);
        }}
      />
    </section>
  );
}
