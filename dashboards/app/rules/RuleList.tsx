// The rule catalogue: every shipped rule and the tenant's own, with per-tenant switches (optimistic, rolled
// back on failure), the alert figures per rule and a noise share, filters and sort order in the URL, and a
// windowed table (SigmaHQ ships thousands of rules; only the rows on screen are rendered).
import { useCallback, useEffect, useMemo, useRef, useState, type UIEvent } from 'react';
import { useConsole } from '../App.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { navigate, setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import {
  applyFilters,
  LEVELS,
  NOISE_BANDS,
  readFilters,
  totalHits,
  writeFilters,
  type RuleFilterState,
} from './filters.js';
import { READ_ONLY_HINT, useCanWrite, useFlash } from './parts.js';
import { RuleFilesPanel } from './RuleFilesPanel.js';
import { RuleRow, RuleTableHeader, ROW_HEIGHT } from './RuleRow.js';
import type { RuleCatalogue, RuleItem } from './types.js';
import { must } from '../api/client.js';

const OVERSCAN = 8;
const SEARCH_DELAY_MS = 200;

export type Notice = { tone: 'error' | 'info'; text: string } | null;

export function RuleList() {
  const { api } = useConsole();
  const route = useRoute();
  const filters = useMemo(() => readFilters(route.query), [route.query]);
  const canWrite = useCanWrite();
  const flash = useFlash('/rules');
  const [catalogue, setCatalogue] = useState<Pick<RuleCatalogue, 'items' | 'files'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<Notice>(
    flash?.kind === 'message' ? { tone: 'info', text: flash.text } : null,
  );
  const [search, setSearch] = useState(filters.q);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const listRef = useRef<HTMLDivElement | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const generation = useRef(0);

  const load = useCallback(() => {
    const mine = ++generation.current;
    setError(null);
    must(api.GET('/api/rules'))
      .then((body) => mine === generation.current && setCatalogue(body))
      .catch((failure: unknown) => mine === generation.current && setError(describe(failure)));
  }, [api]);
  useEffect(load, [load]);

  const update = useCallback(
    (next: Partial<RuleFilterState>) => setQuery(writeFilters({ ...readFilters(route.query), ...next })),
    [route.query],
  );

  // The search box filters as one types; the URL follows shortly after (no history entry per key).
  useEffect(() => setSearch(filters.q), [filters.q]);
  useEffect(() => {
    if (search === filters.q) return;
    const timer = window.setTimeout(() => update({ q: search }), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [search, filters.q, update]);

  const shown = useMemo(
    () => (catalogue ? applyFilters(catalogue.items, { ...filters, q: search }) : []),
    [catalogue, filters, search],
  );
  const hitsInAll = useMemo(() => (catalogue ? totalHits(catalogue.items) : 0), [catalogue]);
  const counts = useMemo(() => {
    const items = catalogue?.items ?? [];
    return {
      shipped: items.filter((r) => r.source === 'shipped').length,
      tenant: items.filter((r) => r.source === 'tenant').length,
      off: items.filter((r) => !r.enabled).length,
    };
  }, [catalogue]);

  // Back to the top when the filters change; the window follows the list's height.
  useEffect(() => {
    if (listRef.current) listRef.current.scrollTop = 0;
    setScrollTop(0);
  }, [filters, search]);
  const observer = useRef<ResizeObserver | null>(null);
  const setListRef = useCallback((element: HTMLDivElement | null) => {
    observer.current?.disconnect();
    listRef.current = element;
    if (!element) return;
    observer.current = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.current.observe(element);
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)))
        return;
      event.preventDefault();
      searchRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  /** Sets `enabled` on the rules `pick` selects (and on the file `slug`, when given). */
  const patch = (pick: (rule: RuleItem) => boolean, enabled: boolean, slug?: string) =>
    setCatalogue((current) =>
      current
        ? {
            ...current,
            items: current.items.map((rule) => (pick(rule) ? { ...rule, enabled } : rule)),
            files: current.files.map((file) => (file.slug === slug ? { ...file, enabled } : file)),
          }
        : current,
    );

  /** Switches a rule (or a whole file, `custom:<slug>`) at once, and back if the API refuses. */
  async function toggle(
    ruleKey: string,
    label: string,
    enabled: boolean,
    pick: (rule: RuleItem) => boolean,
    slug?: string,
  ): Promise<void> {
    if (pending.has(ruleKey)) return;
    setPending((current) => new Set(current).add(ruleKey));
    setNotice(null);
    patch(pick, enabled, slug);
    try {
      await must(api.POST('/api/rules/switch', { body: { ruleKey, enabled } }));
      setNotice({ tone: 'info', text: `${label} ${enabled ? 'enabled' : 'disabled'} for this tenant` });
      // A file's rules may have their own switches: read back what they are now.
      if (slug !== undefined) load();
    } catch (failure) {
      patch(pick, !enabled, slug);
      setNotice({
        tone: 'error',
        text: `Could not ${enabled ? 'enable' : 'disable'} ${label}: ${describe(failure)}. The switch is back as it was.`,
      });
    } finally {
      setPending((current) => {
        const next = new Set(current);
        next.delete(ruleKey);
        return next;
      });
    }
  }

  function onScroll(event: UIEvent<HTMLDivElement>): void {
    setScrollTop(event.currentTarget.scrollTop);
  }

  if (error && catalogue === null) return <ErrorState message={error} onRetry={load} />;
  if (catalogue === null) return <Loading what="rules" />;

  const fileEnabled = new Map(catalogue.files.map((file) => [file.slug, file.enabled]));
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const filtered = filters.source || filters.enabled || filters.level || search;

  return (
    <section aria-labelledby="rules-title" className="flex h-full flex-col">
      <header className="border-b border-line bg-panel px-4 py-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div>
            <h1 id="rules-title" className="text-lg font-semibold">
              Rules
            </h1>
            <p className="text-xs text-muted" data-testid="rule-counts">
              {catalogue.items.length.toLocaleString()} rules · {counts.shipped.toLocaleString()} shipped ·{' '}
              {counts.tenant.toLocaleString()} tenant · {counts.off.toLocaleString()} switched off ·{' '}
              {hitsInAll.toLocaleString()} hits in all
            </p>
          </div>
          <Button
            variant="primary"
            onClick={() => navigate('/rules/new')}
            disabled={!canWrite}
            title={canWrite ? undefined : READ_ONLY_HINT}
          >
            Upload a rule file
          </Button>
        </div>
        <form
          className="mt-3 grid grid-cols-2 gap-2 md:grid-cols-6"
          role="search"
          aria-label="Filter rules"
          onSubmit={(event) => {
            event.preventDefault();
            update({ q: search });
          }}
        >
          <input
            ref={searchRef}
            type="search"
            aria-label="Search rules"
            placeholder="Title, id, tag, log source (press /)"
            className={`${INPUT} col-span-2`}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
          <select
            aria-label="Source"
            className={INPUT}
            value={filters.source}
            onChange={(e) => update({ source: e.target.value as RuleFilterState['source'] })}
          >
            <option value="">Shipped and tenant</option>
            <option value="shipped">Shipped</option>
            <option value="tenant">Tenant (yours)</option>
          </select>
          <select
            aria-label="State"
            className={INPUT}
            value={filters.enabled}
            onChange={(e) => update({ enabled: e.target.value as RuleFilterState['enabled'] })}
          >
            <option value="">Enabled and disabled</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
          <select
            aria-label="Level"
            className={INPUT}
            value={filters.level}
            onChange={(e) => update({ level: e.target.value as RuleFilterState['level'] })}
          >
            <option value="">Any level</option>
            {LEVELS.map((level) => (
              <option key={level} value={level}>
                {level[0]?.toUpperCase()}
                {level.slice(1)}
              </option>
            ))}
          </select>
          <Button
            onClick={() => {
              setSearch('');
              setQuery(new URLSearchParams());
            }}
          >
            Clear filters
          </Button>
        </form>
        <p className="mt-2 text-xs text-muted" id="rules-legend">
          <strong className="font-medium text-fg">Alerts</strong>: alerts the rule raised here;{' '}
          <strong className="font-medium text-fg">open</strong>: of those, not closed;{' '}
          <strong className="font-medium text-fg">hits</strong>: detections merged into them.{' '}
          <strong className="font-medium text-fg">Noise</strong>: the rule&apos;s share of the{' '}
          {hitsInAll.toLocaleString()} hit{hitsInAll === 1 ? '' : 's'} in this tenant (high ≥{' '}
          {NOISE_BANDS.high * 100} %, elevated ≥ {NOISE_BANDS.elevated * 100} %, from {NOISE_BANDS.minHits}{' '}
          hits on). A noisy rule whose alerts keep being closed is the one to tune or switch off.
        </p>
      </header>

      <RuleFilesPanel
        files={catalogue.files}
        canWrite={canWrite}
        pending={pending}
        onToggle={(file, enabled) =>
          void toggle(file.ruleKey, `rule file ${file.slug}`, enabled, (r) => r.file === file.slug, file.slug)
        }
      />

      <div className="flex min-h-9 items-center gap-3 border-b border-line px-4 py-1.5 text-sm">
        <span className="text-muted" data-testid="rules-shown">
          {shown.length.toLocaleString()} of {catalogue.items.length.toLocaleString()} shown
        </span>
        {!canWrite ? <span className="text-xs text-muted">{READ_ONLY_HINT}.</span> : null}
        {notice ? (
          <span
            role={notice.tone === 'error' ? 'alert' : 'status'}
            data-testid="rules-notice"
            className={`ml-auto text-xs ${notice.tone === 'error' ? 'text-sev-critical' : 'text-muted'}`}
          >
            {notice.text}
          </span>
        ) : null}
        {error ? (
          <span role="alert" className="ml-auto text-xs text-sev-critical">
            {error}{' '}
            <button type="button" className="underline" onClick={load}>
              Retry
            </button>
          </span>
        ) : null}
      </div>

      {catalogue.items.length === 0 ? (
        <Empty title="No rules are loaded">
          The appliance loaded no shipped rule and the tenant has no rule file.{' '}
          <Link href="/rules/new" className="text-accent underline">
            Upload a rule file
          </Link>
        </Empty>
      ) : shown.length === 0 ? (
        <Empty title="No rule matches">
          {filtered ? 'Nothing matches these filters. ' : null}
          <button
            type="button"
            className="text-accent underline"
            onClick={() => {
              setSearch('');
              setQuery(new URLSearchParams());
            }}
          >
            Clear the filters
          </button>
        </Empty>
      ) : (
        <div
          ref={setListRef}
          onScroll={onScroll}
          tabIndex={0}
          role="table"
          aria-label="Rules"
          aria-describedby="rules-legend"
          aria-rowcount={shown.length + 1}
          data-testid="rule-list"
          className="relative min-h-0 flex-1 overflow-auto"
        >
          <RuleTableHeader sort={filters.sort} onSort={(sort) => update({ sort })} />
          <div role="rowgroup" className="relative" style={{ height: shown.length * ROW_HEIGHT }}>
            {shown.slice(first, last).map((rule, offset) => {
              const index = first + offset;
              const fileOff = rule.file !== null && fileEnabled.get(rule.file) === false;
              return (
                <RuleRow
                  key={`${rule.source}:${rule.key}`}
                  rule={rule}
                  index={index}
                  hitsInAll={hitsInAll}
                  busy={pending.has(rule.key) || (rule.file !== null && pending.has(`custom:${rule.file}`))}
                  switchable={canWrite && !fileOff}
                  switchHint={
                    !canWrite
                      ? READ_ONLY_HINT
                      : fileOff
                        ? `Its file ${rule.file ?? ''} is switched off: switch the file on first`
                        : undefined
                  }
                  onToggle={(enabled) =>
                    void toggle(rule.key, `“${rule.title}”`, enabled, (r) => r.key === rule.key)
                  }
                />
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
