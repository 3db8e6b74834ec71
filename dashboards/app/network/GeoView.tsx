// The geo view: the external addresses this tenant's hosts talked to, by country, on a world map drawn from
// bundled boundaries (no tiles fetched), one circle per country sized by bytes, and the same figures in a
// table next to it (the accessible reading of the map).
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useConsole } from '../App.js';
import { describe } from '../api/problem.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import { fetchPeers, formatBytes, NUMBER, RANGES, readRange, type Peers } from './data.js';

const SELECT = `${INPUT.replace('w-full', '')} w-auto`;

const GeoCanvas = lazy(() => import('./GeoCanvas.js'));

export interface CountryPeers {
  /** ISO 3166-1 numeric (3 digits), or '' for addresses without a known country. */
  numeric: string;
  code: string | null;
  name: string;
  peers: number;
  bytes: number;
  connections: number;
  hosts: string[];
}

export function byCountry(peers: Peers['peers']): CountryPeers[] {
  const countries = new Map<string, CountryPeers>();
  for (const peer of peers) {
    const key = peer.countryNumeric ?? '';
    let entry = countries.get(key);
    if (!entry) {
      entry = {
        numeric: key,
        code: peer.country,
        name: peer.countryName ?? peer.country ?? 'Unknown country',
        peers: 0,
        bytes: 0,
        connections: 0,
        hosts: [],
      };
      countries.set(key, entry);
    }
    entry.peers++;
    entry.bytes += peer.bytes;
    entry.connections += peer.count;
    for (const host of peer.hosts) if (!entry.hosts.includes(host)) entry.hosts.push(host);
  }
  return [...countries.values()].sort((a, b) => b.bytes - a.bytes);
}

export function GeoView() {
  const { api } = useConsole();
  const route = useRoute();
  const range = readRange(route.query);
  const [peers, setPeers] = useState<Peers | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setPeers(null);
    setError(null);
    fetchPeers(api, range).then(
      (body) => live && setPeers(body),
      (failure: unknown) => live && setError(describe(failure)),
    );
    return () => {
      live = false;
    };
  }, [api, range, attempt]);

  const countries = useMemo(() => byCountry(peers?.peers ?? []), [peers]);

  return (
    <section aria-labelledby="geo-title" className="flex h-full flex-col">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-line bg-panel px-4 py-3">
        <h1 id="geo-title" className="text-lg font-semibold">
          External peers by country
        </h1>
        <select
          aria-label="Time range"
          className={SELECT}
          value={range}
          onChange={(event) => {
            const query = new URLSearchParams(route.query);
            if (event.target.value === '24h') query.delete('range');
            else query.set('range', event.target.value);
            setQuery(query);
          }}
        >
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </header>
      {error !== null ? (
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      ) : peers === null ? (
        <Loading what="external peers" />
      ) : (
        <div className="flex min-h-0 flex-1 flex-col gap-3 p-4 lg:flex-row">
          <div className="flex min-h-[26rem] min-w-0 flex-1 flex-col gap-2">
            <p className="text-sm text-muted" role="status" data-testid="geo-summary">
              {plural(peers.peers.length, 'external address', 'external addresses')} in{' '}
              {plural(countries.filter((c) => c.numeric !== '').length, 'country', 'countries')}
            </p>
            <div
              role="img"
              aria-label={`World map of external peers: ${countries.length} countries; the table lists them`}
              className="relative min-h-[24rem] flex-1 overflow-hidden rounded border border-line bg-surface"
              data-testid="geo-canvas"
            >
              <Suspense fallback={<Loading what="the map" />}>
                <GeoCanvas countries={countries} />
              </Suspense>
            </div>
            <p className="text-xs text-muted">Circle size: bytes exchanged with the country's addresses.</p>
          </div>
          <aside aria-labelledby="countries-title" className="flex w-full min-h-0 flex-col lg:w-96">
            <h2 id="countries-title" className="mb-2 text-sm font-semibold">
              Countries
            </h2>
            {countries.length === 0 ? (
              <Empty title="No external peers in this time range">
                Countries appear once hosts talk to addresses outside private ranges.
              </Empty>
            ) : (
              <div
                tabIndex={0}
                aria-label="Countries of external peers"
                className="min-h-0 flex-1 overflow-auto"
              >
                <table className="w-full text-sm">
                  <thead className="text-left text-xs text-muted">
                    <tr>
                      <th scope="col" className="py-1 pr-2 font-medium">
                        Country
                      </th>
                      <th scope="col" className="py-1 pr-2 text-right font-medium">
                        Peers
                      </th>
                      <th scope="col" className="py-1 pr-2 text-right font-medium">
                        Bytes
                      </th>
                      <th scope="col" className="py-1 font-medium">
                        Hosts
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {countries.map((country) => (
                      <tr
                        key={country.numeric || 'unknown'}
                        className="border-t border-line align-top"
                        data-testid="country-row"
                        data-country={country.code ?? ''}
                      >
                        <td className="py-1 pr-2">
                          {country.name}
                          {country.code ? (
                            <span className="ml-1 text-xs text-muted">{country.code}</span>
                          ) : null}
                        </td>
                        <td className="py-1 pr-2 text-right tabular-nums">{NUMBER.format(country.peers)}</td>
                        <td className="py-1 pr-2 text-right tabular-nums">{formatBytes(country.bytes)}</td>
                        <td className="py-1 text-xs text-muted">{country.hosts.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </aside>
        </div>
      )}
    </section>
  );
}

function plural(n: number, one: string, many: string): string {
  return `${NUMBER.format(n)} ${n === 1 ? one : many}`;
}
