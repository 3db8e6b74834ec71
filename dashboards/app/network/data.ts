// What the Network map and Geo views read: the graph of hosts and addresses (GET /api/network/graph) and the
// external peers by country (GET /api/network/peers), for a time range kept in the URL query.
import { must, type Api } from '../api/client.js';
import type { paths } from '../api/schema.js';

type Ok<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

export type Graph = Ok<paths['/api/network/graph']['get']>;
export type GraphNode = Graph['nodes'][number];
export type GraphEdge = Graph['edges'][number];
export type Peers = Ok<paths['/api/network/peers']['get']>;
export type Peer = Peers['peers'][number];

export const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

export type Range = (typeof RANGES)[number]['value'];

export function readRange(query: URLSearchParams): Range {
  const value = query.get('range');
  return RANGES.find((r) => r.value === value)?.value ?? '24h';
}

function span(range: Range): { from: string; to: string } {
  const to = Date.now();
  const ms = RANGES.find((r) => r.value === range)?.ms ?? 86_400_000;
  return { from: new Date(to - ms).toISOString(), to: new Date(to).toISOString() };
}

export function fetchGraph(api: Api, range: Range): Promise<Graph> {
  return must(api.GET('/api/network/graph', { params: { query: span(range) } }));
}

export function fetchPeers(api: Api, range: Range): Promise<Peers> {
  return must(api.GET('/api/network/peers', { params: { query: { ...span(range), limit: 5000 } } }));
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

export const NUMBER = new Intl.NumberFormat('en');
