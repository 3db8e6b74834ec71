// The alert queue: counts by severity, filters in the URL, a windowed list that pages in as it scrolls (a
// queue of 100,000 alerts renders only the rows on screen), live updates over SSE, bulk acknowledge and
// close, and keyboard triage: j/k move, x selects, Enter opens, a acknowledges, c closes, / searches.
import { useCallback, useEffect, useMemo, useRef, useState, type UIEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { navigate, setQuery, useRoute } from '../shell/router.js';
import {
  Button,
  Checkbox,
  Empty,
  ErrorState,
  INPUT,
  Loading,
  SEVERITY_CLASS,
  SeverityBadge,
  StatusBadge,
} from '../ui/primitives.js';
import { CloseDialog } from './CloseDialog.js';
import {
  apiQuery,
  matches,
  RANGES,
  readFilters,
  SEVERITIES,
  STATUSES,
  writeFilters,
  type AlertFilterState,
} from './filters.js';
import { useAlertStream } from './stream.js';
import type { AlertCounts, AlertItem, CloseReason } from './types.js';

const ROW_HEIGHT = 40;
const PAGE = 200;
const OVERSCAN = 10;

export function AlertQueue() {
  const { api, session } = useConsole();
  const route = useRoute();
  const filters = useMemo(() => readFilters(route.query), [route.query]);
  const [items, setItems] = useState<AlertItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [counts, setCounts] = useState<AlertCounts | null>(null);
  const [focus, setFocus] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [closing, setClosing] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const listRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const generation = useRef(0);
  const loadingMore = useRef(false);

  const update = (next: Partial<AlertFilterState>) => setQuery(writeFilters({ ...filters, ...next }));

  const loadCounts = useCallback(() => {
    must(api.GET('/api/alerts/counts', { params: { query: apiQuery(filters) } }))
      .then(setCounts)
      .catch(() => undefined);
  }, [api, filters]);

  const load = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    must(api.GET('/api/alerts', { params: { query: { ...apiQuery(filters), limit: PAGE } } }))
      .then((page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setFocus(0);
        setSelected(new Set());
      })
      .catch((failure: unknown) => mine === generation.current && setError(describe(failure)))
      .finally(() => mine === generation.current && setLoading(false));
    loadCounts();
  }, [api, filters, loadCounts]);

  useEffect(load, [load]);

  const loadMore = useCallback(() => {
    if (cursor === null || loadingMore.current) return;
    loadingMore.current = true;
    const mine = generation.current;
    must(api.GET('/api/alerts', { params: { query: { ...apiQuery(filters), limit: PAGE, cursor } } }))
      .then((page) => {
        if (mine !== generation.current) return;
        setItems((current) => [...current, ...page.items]);
        setCursor(page.nextCursor);
      })
      .catch((failure: unknown) => setNotice(describe(failure)))
      .finally(() => {
        loadingMore.current = false;
      });
  }, [api, filters, cursor]);

  // Live: update rows in place, put new matching alerts on top, refresh the counts (coalesced).
  const countsTimer = useRef<number | undefined>(undefined);
  const status = useAlertStream(session, {
    alert: (event, data) => {
      const alert = data.alert as AlertItem | undefined;
      if (alert === undefined) return;
      setItems((current) => {
        const at = current.findIndex((item) => item.id === alert.id);
        if (at >= 0) {
          if (!matches(filters, alert)) return current.filter((item) => item.id !== alert.id);
          const next = current.slice();
          next[at] = alert;
          return next;
        }
        return event === 'alert.created' && matches(filters, alert) ? [alert, ...current] : current;
      });
      window.clearTimeout(countsTimer.current);
      countsTimer.current = window.setTimeout(loadCounts, 250);
    },
    resync: load,
  });

  useEffect(() => {
    const element = listRef.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const act = useCallback(
    async (
      ids: string[],
      action: 'acknowledge' | 'close',
      close?: { reason: CloseReason; comment: string },
    ) => {
      if (ids.length === 0) return;
      try {
        const result = await must(
          api.POST('/api/alerts/bulk', {
            body: {
              ids,
              action,
              ...(close
                ? { reason: close.reason, ...(close.comment ? { comment: close.comment } : {}) }
                : {}),
            },
          }),
        );
        const skipped = result.results.filter((r) => r.outcome !== 'updated').length;
        setNotice(
          `${result.updated} ${action === 'close' ? 'closed' : 'acknowledged'}${skipped ? `, ${skipped} skipped (already in that state or gone)` : ''}`,
        );
        setSelected(new Set());
        load();
      } catch (failure) {
        setNotice(describe(failure));
      }
    },
    [api, load],
  );

  const targets = (): string[] => {
    if (selected.size > 0) return [...selected];
    const item = items[focus];
    return item ? [item.id] : [];
  };

  // Keyboard triage, off while typing in a field or with a dialog open.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (closing !== null || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)))
        return;
      const move = (to: number) => {
        const next = Math.max(0, Math.min(items.length - 1, to));
        setFocus(next);
        const element = listRef.current;
        if (element) {
          const top = next * ROW_HEIGHT;
          if (top < element.scrollTop) element.scrollTop = top;
          else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight)
            element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
        }
        if (next > items.length - 20) loadMore();
      };
      switch (event.key) {
        case 'j':
          move(focus + 1);
          break;
        case 'k':
          move(focus - 1);
          break;
        case 'x': {
          const item = items[focus];
          if (item) toggle(item.id);
          break;
        }
        case 'Enter': {
          const item = items[focus];
          if (item) navigate(`/alerts/${item.id}`);
          break;
        }
        case 'a':
          void act(targets(), 'acknowledge');
          break;
        case 'c':
          if (targets().length) setClosing(targets());
          break;
        case '/':
          searchRef.current?.focus();
          break;
        default:
          return;
      }
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  function toggle(id: string): void {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function onScroll(event: UIEvent<HTMLDivElement>): void {
    const element = event.currentTarget;
    setScrollTop(element.scrollTop);
    if (element.scrollTop + element.clientHeight > element.scrollHeight - 20 * ROW_HEIGHT) loadMore();
  }

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const allSelected = items.length > 0 && selected.size === items.length;

  return (
    <section aria-labelledby="queue-title" className="flex h-full flex-col">
      <header className="border-b border-line bg-panel px-4 py-3">
        <div className="flex items-center justify-between gap-4">
          <h1 id="queue-title" className="text-lg font-semibold">
            Alerts
          </h1>
          <p className="text-xs text-muted" role="status" data-testid="stream-status">
            {status === 'live'
              ? '● Live'
              : status === 'connecting'
                ? 'Connecting…'
                : 'Live updates paused, reconnecting…'}
          </p>
        </div>
        <ul className="mt-2 flex flex-wrap gap-2" aria-label="Counts by severity">
          {SEVERITIES.map((severity) => {
            const on = filters.severity.includes(severity);
            return (
              <li key={severity}>
                <button
                  type="button"
                  aria-pressed={on}
                  data-testid={`count-${severity}`}
                  onClick={() =>
                    update({
                      severity: on
                        ? filters.severity.filter((s) => s !== severity)
                        : [...filters.severity, severity],
                    })
                  }
                  className={`rounded border px-2 py-1 text-xs ${SEVERITY_CLASS[severity]} ${on ? 'ring-2 ring-accent' : ''}`}
                >
                  <span className="uppercase">{severity}</span>{' '}
                  <span className="font-mono font-semibold">
                    {counts?.bySeverity[severity as keyof AlertCounts['bySeverity']] ?? '–'}
                  </span>
                </button>
              </li>
            );
          })}
          <li className="self-center text-xs text-muted" data-testid="count-total">
            {counts ? `${counts.total} in all` : ''}
          </li>
        </ul>
        <form
          className="mt-3 grid grid-cols-2 gap-2 md:grid-cols-6"
          role="search"
          aria-label="Filter alerts"
          onSubmit={(e) => e.preventDefault()}
        >
          <input
            ref={searchRef}
            aria-label="Host"
            placeholder="Host (press /)"
            className={INPUT}
            defaultValue={filters.host}
            key={`host-${filters.host}`}
            onBlur={(e) => update({ host: e.target.value.trim() })}
            onKeyDown={(e) => e.key === 'Enter' && update({ host: e.currentTarget.value.trim() })}
          />
          <input
            aria-label="Rule id"
            placeholder="Rule id"
            className={INPUT}
            defaultValue={filters.ruleId}
            key={`rule-${filters.ruleId}`}
            onBlur={(e) => update({ ruleId: e.target.value.trim() })}
            onKeyDown={(e) => e.key === 'Enter' && update({ ruleId: e.currentTarget.value.trim() })}
          />
          <input
            aria-label="MITRE technique"
            placeholder="Technique (T1059)"
            className={INPUT}
            defaultValue={filters.technique}
            key={`technique-${filters.technique}`}
            onBlur={(e) => update({ technique: e.target.value.trim() })}
            onKeyDown={(e) => e.key === 'Enter' && update({ technique: e.currentTarget.value.trim() })}
          />
          <select
            aria-label="Status"
            className={INPUT}
            value={filters.status.join(',')}
            onChange={(e) => update({ status: e.target.value ? e.target.value.split(',') : [] })}
          >
            <option value="new,acknowledged">New and acknowledged</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)}
              </option>
            ))}
            <option value="">Any status</option>
          </select>
          <select
            aria-label="Time range"
            className={INPUT}
            value={filters.range}
            onChange={(e) => update({ range: e.target.value as keyof typeof RANGES })}
          >
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="all">All time</option>
          </select>
          <Button onClick={() => setQuery(new URLSearchParams())}>Clear filters</Button>
        </form>
      </header>

      <div className="flex items-center gap-3 border-b border-line px-4 py-2 text-sm">
        <Checkbox
          checked={allSelected ? true : selected.size > 0 ? 'indeterminate' : false}
          onChange={(on) => setSelected(on ? new Set(items.map((i) => i.id)) : new Set())}
          label="Select all loaded alerts"
        />
        <span className="text-muted">
          {selected.size > 0 ? `${selected.size} selected` : `${items.length}${cursor ? '+' : ''} shown`}
        </span>
        <Button
          disabled={targets().length === 0}
          onClick={() => void act(targets(), 'acknowledge')}
          title="a"
        >
          Acknowledge
        </Button>
        <Button disabled={targets().length === 0} onClick={() => setClosing(targets())} title="c">
          Close…
        </Button>
        {notice ? (
          <span role="status" className="ml-auto text-xs text-muted">
            {notice}
          </span>
        ) : null}
      </div>

      {error ? (
        <ErrorState message={error} onRetry={load} />
      ) : loading && items.length === 0 ? (
        <Loading what="alerts" />
      ) : items.length === 0 ? (
        <Empty title="No alerts match">
          Nothing matches these filters. Widen the time range or clear the filters.
        </Empty>
      ) : (
        <div
          ref={listRef}
          onScroll={onScroll}
          className="relative flex-1 overflow-auto"
          role="grid"
          aria-label="Alert queue"
          aria-rowcount={items.length}
          data-testid="alert-list"
        >
          <div style={{ height: items.length * ROW_HEIGHT }}>
            {items.slice(first, last).map((alert, offset) => {
              const index = first + offset;
              return (
                <div
                  key={alert.id}
                  role="row"
                  aria-rowindex={index + 1}
                  aria-selected={selected.has(alert.id)}
                  data-testid="alert-row"
                  data-alert-id={alert.id}
                  onClick={() => setFocus(index)}
                  className={`absolute right-0 left-0 flex items-center gap-3 border-b border-line/60 px-4 text-sm ${index === focus ? 'bg-raised' : ''}`}
                  style={{ top: index * ROW_HEIGHT, height: ROW_HEIGHT }}
                >
                  <span role="gridcell">
                    <Checkbox
                      checked={selected.has(alert.id)}
                      onChange={() => toggle(alert.id)}
                      label={`Select ${alert.title}`}
                    />
                  </span>
                  <span role="gridcell" className="w-28 shrink-0">
                    <SeverityBadge severity={alert.severity} />
                  </span>
                  <span role="gridcell" className="min-w-0 flex-1 truncate">
                    <Link href={`/alerts/${alert.id}`} className="hover:underline">
                      {alert.title}
                    </Link>
                  </span>
                  <span role="gridcell" className="hidden w-40 shrink-0 truncate text-muted lg:block">
                    {alert.host.name ?? '—'}
                  </span>
                  <span
                    role="gridcell"
                    className="hidden w-28 shrink-0 truncate font-mono text-xs text-muted xl:block"
                  >
                    {alert.techniques.join(' ')}
                  </span>
                  <span role="gridcell" className="w-28 shrink-0">
                    <StatusBadge status={alert.status} />
                  </span>
                  <span
                    role="gridcell"
                    className="w-12 shrink-0 text-right font-mono text-xs text-muted"
                    title="events"
                  >
                    ×{alert.count}
                  </span>
                  <span role="gridcell" className="w-36 shrink-0 text-right text-xs text-muted">
                    <time dateTime={alert.lastSeen}>{new Date(alert.lastSeen).toLocaleString()}</time>
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      )}
      <CloseDialog
        count={closing?.length ?? 0}
        open={closing !== null}
        onOpenChange={(open) => !open && setClosing(null)}
        onClose={async (reason, comment) => {
          const ids = closing ?? [];
          setClosing(null);
          await act(ids, 'close', { reason, comment });
        }}
      />
    </section>
  );
}
