// The network map: hosts and the addresses they talked to as a force-directed graph (deck.gl, WebGL), edges
// weighted by bytes or connection count (in the URL query). The layout runs in a Web Worker; deck.gl loads
// with this view only. A host list next to the canvas is the accessible way to the same hosts.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useConsole } from '../App.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import { fetchGraph, formatBytes, NUMBER, RANGES, readRange, type Graph } from './data.js';
import { KIND_LABEL, KIND_SWATCH } from './style.js';

const SELECT = `${INPUT.replace('w-full', '')} w-auto`;

const MapCanvas = lazy(() => import('./MapCanvas.js'));

export type Weight = 'bytes' | 'count';

export interface ScreenPoint {
  x: number;
  y: number;
}

export function NetworkMapView() {
  const { api } = useConsole();
  const route = useRoute();
  const range = readRange(route.query);
  const weight: Weight = route.query.get('weight') === 'count' ? 'count' : 'bytes';
  const [graph, setGraph] = useState<Graph | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [layoutMs, setLayoutMs] = useState<number | null>(null);
  const [hostPoints, setHostPoints] = useState<Map<string, ScreenPoint>>(new Map());

  useEffect(() => {
    let live = true;
    setGraph(null);
    setError(null);
    setLayoutMs(null);
    fetchGraph(api, range).then(
      (body) => live && setGraph(body),
      (failure: unknown) => live && setError(describe(failure)),
    );
    return () => {
      live = false;
    };
  }, [api, range, attempt]);

  const update = (key: string, value: string, fallback: string) => {
    const query = new URLSearchParams(route.query);
    if (value === fallback) query.delete(key);
    else query.set(key, value);
    setQuery(query);
  };

  const hosts = useMemo(
    () => (graph?.nodes ?? []).filter((n) => n.kind === 'host').sort((a, b) => b.bytes - a.bytes),
    [graph],
  );
  const onLayout = useCallback((ms: number) => setLayoutMs(ms), []);

  return (
    <section aria-labelledby="network-title" className="flex h-full flex-col">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-line bg-panel px-4 py-3">
        <h1 id="network-title" className="text-lg font-semibold">
          Network map
        </h1>
        <div className="flex flex-wrap items-center gap-2">
          <select
            aria-label="Time range"
            className={SELECT}
            value={range}
            onChange={(event) => update('range', event.target.value, '24h')}
          >
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
          <select
            aria-label="Edge weight"
            className={SELECT}
            value={weight}
            onChange={(event) => update('weight', event.target.value, 'bytes')}
          >
            <option value="bytes">Edges by bytes</option>
            <option value="count">Edges by connections</option>
          </select>
        </div>
      </header>
      {error !== null ? (
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      ) : graph === null ? (
        <Loading what="the network graph" />
      ) : graph.nodes.length === 0 ? (
        <Empty title="No connections in this time range">
          Hosts appear here once their agents report network connections.
        </Empty>
      ) : (
        <div className="flex min-h-0 flex-1 flex-col gap-3 p-4 lg:flex-row">
          <div className="flex min-h-[28rem] min-w-0 flex-1 flex-col gap-2">
            <p className="text-sm text-muted" data-testid="network-summary" role="status">
              {NUMBER.format(graph.nodes.length)} nodes, {NUMBER.format(graph.edges.length)} edges
              {graph.truncated ? ' (the heaviest edges only)' : ''} ·{' '}
              <span data-testid="layout-status" data-layout-ms={layoutMs ?? ''}>
                {layoutMs === null ? 'laying out…' : `layout ${Math.round(layoutMs)} ms`}
              </span>
            </p>
            <div
              role="img"
              aria-label={`Network map of ${graph.nodes.length} nodes and ${graph.edges.length} edges; the host list next to it names the hosts`}
              className="relative min-h-[26rem] flex-1 overflow-hidden rounded border border-line bg-surface"
              data-testid="network-canvas"
            >
              <Suspense fallback={<Loading what="the map" />}>
                <MapCanvas graph={graph} weight={weight} onLayout={onLayout} onHostPoints={setHostPoints} />
              </Suspense>
            </div>
            <Legend />
          </div>
          <aside aria-labelledby="hosts-title" className="flex w-full min-h-0 flex-col lg:w-80">
            <h2 id="hosts-title" className="mb-2 text-sm font-semibold">
              Hosts ({hosts.length})
            </h2>
            <div tabIndex={0} aria-label="Hosts on the map" className="min-h-0 flex-1 overflow-auto">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-muted">
                  <tr>
                    <th scope="col" className="py-1 pr-2 font-medium">
                      Host
                    </th>
                    <th scope="col" className="py-1 pr-2 text-right font-medium">
                      Bytes
                    </th>
                    <th scope="col" className="py-1 text-right font-medium">
                      Open alerts
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {hosts.map((host) => {
                    const point = hostPoints.get(host.id);
                    return (
                      <tr
                        key={host.id}
                        className="border-t border-line"
                        data-testid="host-row"
                        data-host={host.hostName ?? host.label}
                        data-screen-x={point ? Math.round(point.x) : undefined}
                        data-screen-y={point ? Math.round(point.y) : undefined}
                      >
                        <td className="py-1 pr-2">
                          <Link
                            href={`/alerts?host=${encodeURIComponent(host.hostName ?? host.label)}`}
                            className="text-accent hover:underline"
                          >
                            {host.label}
                          </Link>
                          <div className="text-xs text-muted">{host.ips.join(', ')}</div>
                        </td>
                        <td className="py-1 pr-2 text-right tabular-nums">{formatBytes(host.bytes)}</td>
                        <td className="py-1 text-right tabular-nums">{host.openAlerts}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </aside>
        </div>
      )}
    </section>
  );
}

function Legend() {
  return (
    <ul aria-label="Legend" className="flex flex-wrap gap-4 text-xs text-muted">
      {(['host', 'internal', 'external'] as const).map((kind) => (
        <li key={kind} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={KIND_SWATCH[kind]} />
          {KIND_LABEL[kind]}
        </li>
      ))}
      <li>Circle size: bytes · line width: edge weight · click a host to see its alerts</li>
    </ul>
  );
}
