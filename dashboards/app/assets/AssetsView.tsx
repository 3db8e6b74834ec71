// The asset inventory: hosts (the fleet's agents) and OT devices (addresses seen in OT transactions), with
// their kind, OS, agent version, addresses, last seen, status (a label, not a colour alone), open alerts (a
// link to the alert queue filtered to the host) and the OT protocols seen. Kind, search and page live in the
// URL query, so a reload or a shared link shows the same page.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from '../App.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import { fetchAssets, readAssetFilters, writeAssetFilters, type Asset, type AssetFilters } from './data.js';
import { absoluteTime, relativeTime } from './format.js';

const PAGE = 50;
const TH = 'px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted';
const TD = 'px-3 py-2 align-top';

const TABS: Array<{ kind: AssetFilters['kind']; label: string }> = [
  { kind: '', label: 'All' },
  { kind: 'host', label: 'Hosts' },
  { kind: 'ot_device', label: 'OT devices' },
];

const STATUS: Record<Asset['status'], { label: string; tone: string; mark: string }> = {
  online: { label: 'Online', tone: 'text-sev-low border-sev-low/50', mark: '●' },
  offline: { label: 'Offline', tone: 'text-sev-medium border-sev-medium/50', mark: '○' },
  revoked: { label: 'Revoked', tone: 'text-sev-critical border-sev-critical/50', mark: '✕' },
  seen: { label: 'Seen', tone: 'text-muted border-line', mark: '◌' },
};

export function AssetsView() {
  const { api } = useConsole();
  const route = useRoute();
  const filters = useMemo(() => readAssetFilters(route.query), [route.query]);
  const [items, setItems] = useState<Asset[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [history, setHistory] = useState<string[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const generation = useRef(0);

  const update = (change: Partial<AssetFilters>) =>
    setQuery(writeAssetFilters({ ...filters, cursor: '', ...change }));

  const load = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    fetchAssets(api, filters, PAGE)
      .then((page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setNext(page.nextCursor);
        setNow(Date.now());
      })
      .catch((failure: unknown) => mine === generation.current && setError(describe(failure)))
      .finally(() => mine === generation.current && setLoading(false));
  }, [api, filters]);

  useEffect(load, [load]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);

  return (
    <section aria-labelledby="assets-title" className="flex h-full flex-col">
      <header className="border-b border-line bg-panel px-4 py-3">
        <h1 id="assets-title" className="text-lg font-semibold">
          Assets
        </h1>
        <p className="text-xs text-muted">
          Hosts with an agent, and OT devices seen on the network by their industrial protocols.
        </p>
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <div role="group" aria-label="Asset kind" className="flex gap-1">
            {TABS.map((tab) => (
              <button
                key={tab.label}
                type="button"
                aria-pressed={filters.kind === tab.kind}
                onClick={() => {
                  setHistory([]);
                  update({ kind: tab.kind });
                }}
                className={`rounded border px-3 py-1 text-sm ${filters.kind === tab.kind ? 'border-accent bg-accent/15 text-fg' : 'border-line text-muted hover:text-fg'}`}
              >
                {tab.label}
              </button>
            ))}
          </div>
          <form
            role="search"
            aria-label="Search assets"
            className="flex min-w-64 flex-1 gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              const value = new FormData(event.currentTarget).get('q');
              setHistory([]);
              update({ q: typeof value === 'string' ? value.trim() : '' });
            }}
          >
            <input
              name="q"
              aria-label="Search by name or address"
              placeholder="Name or IP address"
              className={INPUT}
              defaultValue={filters.q}
              key={`q-${filters.q}`}
            />
            <Button type="submit">Search</Button>
            {filters.q || filters.kind ? (
              <Button
                variant="ghost"
                onClick={() => {
                  setHistory([]);
                  setQuery(new URLSearchParams());
                }}
              >
                Clear
              </Button>
            ) : null}
          </form>
        </div>
      </header>

      {error ? (
        <ErrorState message={error} onRetry={load} />
      ) : loading && items === null ? (
        <Loading what="assets" />
      ) : items === null || items.length === 0 ? (
        <Empty title={filters.q || filters.kind ? 'No asset matches' : 'No assets yet'}>
          {filters.q || filters.kind
            ? 'Nothing matches this search. Clear the filters to see every asset.'
            : 'Enrol an agent in Fleet; OT devices appear once their traffic is seen.'}
        </Empty>
      ) : (
        <>
          <div className="flex-1 overflow-auto" tabIndex={0} role="region" aria-label="Asset table">
            <table className="w-full border-collapse text-sm" data-testid="asset-table">
              <thead className="sticky top-0 bg-panel">
                <tr>
                  <th className={TH}>Name</th>
                  <th className={TH}>Kind</th>
                  <th className={TH}>Status</th>
                  <th className={TH}>OS</th>
                  <th className={TH}>Agent version</th>
                  <th className={TH}>Addresses</th>
                  <th className={TH}>Last seen</th>
                  <th className={TH}>Open alerts</th>
                  <th className={TH}>Protocols</th>
                </tr>
              </thead>
              <tbody>
                {items.map((asset) => (
                  <AssetRow key={asset.id} asset={asset} now={now} />
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Pages" className="flex items-center gap-2 border-t border-line px-4 py-2 text-sm">
            <span className="text-muted" role="status">
              {items.length} shown{loading ? ', refreshing…' : ''}
            </span>
            <Button
              className="ml-auto"
              disabled={history.length === 0}
              onClick={() => {
                const previous = history.slice(0, -1);
                update({ cursor: history[history.length - 1] ?? '' });
                setHistory(previous);
              }}
            >
              Previous page
            </Button>
            <Button
              disabled={next === null}
              onClick={() => {
                if (next === null) return;
                setHistory([...history, filters.cursor]);
                update({ cursor: next });
              }}
            >
              Next page
            </Button>
          </nav>
        </>
      )}
    </section>
  );
}

function AssetRow({ asset, now }: { asset: Asset; now: number }) {
  const status = STATUS[asset.status];
  return (
    <tr className="border-b border-line/60" data-testid="asset-row" data-asset-name={asset.name}>
      <th scope="row" className={`${TD} text-left font-medium`}>
        {asset.name}
      </th>
      <td className={TD}>{asset.kind === 'host' ? 'Host' : 'OT device'}</td>
      <td className={TD}>
        <span
          className={`inline-flex items-center gap-1 rounded border px-1.5 py-0.5 text-xs ${status.tone}`}
          data-testid="asset-status"
        >
          <span aria-hidden="true">{status.mark}</span>
          {status.label}
        </span>
      </td>
      <td className={TD}>{asset.os ?? <span className="text-muted">—</span>}</td>
      <td className={`${TD} font-mono`} data-testid="asset-version">
        {asset.agentVersion ?? <span className="text-muted">—</span>}
      </td>
      <td className={`${TD} font-mono text-xs`}>
        {asset.ips.length ? asset.ips.join(', ') : <span className="text-muted">—</span>}
      </td>
      <td className={TD}>
        {asset.lastSeen ? (
          <>
            <time dateTime={asset.lastSeen}>{relativeTime(asset.lastSeen, now)}</time>
            <span className="block text-xs text-muted">{absoluteTime(asset.lastSeen)}</span>
          </>
        ) : (
          <span className="text-muted">never</span>
        )}
      </td>
      <td className={TD}>
        {asset.kind === 'host' ? (
          <Link
            href={`/alerts?host=${encodeURIComponent(asset.name)}`}
            className={asset.openAlerts > 0 ? 'font-semibold text-accent underline' : 'text-accent underline'}
          >
            {asset.openAlerts} open<span className="sr-only"> alerts on {asset.name}</span>
          </Link>
        ) : (
          <span className="text-muted">{asset.openAlerts}</span>
        )}
      </td>
      <td className={TD}>
        {asset.protocols.length ? (
          <ul className="flex flex-wrap gap-1" aria-label={`Protocols of ${asset.name}`}>
            {asset.protocols.map((protocol) => (
              <li key={protocol} className="rounded border border-line px-1.5 py-0.5 text-xs">
                {protocol}
              </li>
            ))}
          </ul>
        ) : (
          <span className="text-muted">—</span>
        )}
      </td>
    </tr>
  );
}
